package dev.switchboard.client.auth;

import dev.switchboard.client.grpc.RefusalException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The wire form of actions: what routers, registries and the Python client send, and auth reads. */
class ActionTests {

	@Test
	void factoriesWriteTheWireForm() {
		assertThat(Action.call("compute", "switchboard.sample.compute.v1.Compute/GetServer"))
			.hasToString("call:compute/switchboard.sample.compute.v1.Compute/GetServer");
		assertThat(Action.register("compute")).hasToString("register:compute");
		assertThat(Action.discover()).hasToString("discover");
		assertThat(Action.admin()).hasToString("admin");
	}

	@Test
	void parsedActionEqualsTheOneMadeByItsFactory() {
		assertThat(Action.parse("call:compute/pkg.S/M")).isEqualTo(Action.call("compute", "pkg.S/M"));
		assertThat(Action.parse("register:volume")).isEqualTo(Action.register("volume"));
		assertThat(Action.parse("discover")).isSameAs(Action.discover());
	}

	@ParameterizedTest
	@ValueSource(strings = { "call:compute/pkg.Service/Method", "call:c/a.B/C", "register:compute", "discover",
			"admin" })
	void whenActionIsWellFormedThenItParses(String action) {
		assertThat(Action.parse(action).toString()).isEqualTo(action);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "call:compute/*", "call:compute/pkg.Service", "call:compute", "register:*",
			"register:Bad", "call:*/pkg.S/M", "call:compute/pkg.S/M/X", "call:compute/pkg..S/M", "Discover",
			"call:compute/pkg.S/M " })
	void whenActionIsMalformedThenInvalidArgument(String action) {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> Action.parse(action))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n").isNotBlank());
	}

	@Test
	void whenAFactoryIsGivenABadNameThenCheckedRefusesItAsParseWould() {
		assertThat(Action.register("Compute")).hasToString("register:Compute");
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> Action.register("Compute").checked())
			.withMessage("action 'register:Compute' does not name a valid group");
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> Action.call("compute", "a b").checked())
			.withMessage("action 'call:compute/a b' is not call:<group>/<package.Service>/<Method>");
	}

	@Test
	void whenKindAndNamesDisagreeThenTheActionCannotBeMade() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new Action(Action.Kind.CALL, "compute", null));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new Action(Action.Kind.DISCOVER, "compute", null));
	}

}
