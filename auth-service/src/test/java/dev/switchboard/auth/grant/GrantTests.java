package dev.switchboard.auth.grant;

import java.util.List;

import dev.switchboard.client.auth.Action;
import dev.switchboard.client.grpc.RefusalException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Grant syntax, and which grant allows which action. */
class GrantTests {

	@ParameterizedTest
	@ValueSource(strings = { "discover", "admin", "register:compute", "register:*", "call:compute/*", "call:*/*",
			"call:compute/switchboard.sample.compute.v1.Compute/Get*", "call:a-b/pkg.Service/Method" })
	void whenGrantIsWellFormedThenItParses(String grant) {
		assertThat(Grant.parse(grant).value()).isEqualTo(grant);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "Admin", "discover ", "register:", "register:Compute", "register:com*",
			"call:compute", "call:/*", "call:compute/", "call:Compute/*", "call:compute/a b", "call:compute/a?",
			"write:compute", "call:compute/*\n" })
	void whenGrantIsMalformedThenInvalidArgumentWithAReason(String grant) {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> Grant.parse(grant))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n").isNotBlank());
	}

	@Test
	void whenGrantIsTooLongThenInvalidArgument() {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> Grant.parse("call:compute/" + "a".repeat(400)))
			.withMessage("grant is longer than 320 characters");
	}

	@ParameterizedTest(name = "{0} allows {1}: {2}")
	@CsvSource({ "call:compute/*, call:compute/pkg.S/M, true", "call:compute/*, call:volume/pkg.S/M, false",
			"call:*/*, call:volume/pkg.S/M, true", "call:compute/pkg.S/Get*, call:compute/pkg.S/GetThing, true",
			"call:compute/pkg.S/Get*, call:compute/pkg.S/DeleteThing, false",
			"call:compute/pkg.S/Get*, call:compute/pkg.SX/GetThing, false",
			"call:compute/*.Compute/*, call:compute/switchboard.sample.compute.v1.Compute/Get, true",
			"call:compute/pkg.S/M, call:compute/pkg.S/M, true", "call:compute/pkg.S/M, call:compute/pkg.S/MX, false",
			"register:compute, register:compute, true", "register:compute, register:volume, false",
			"register:*, register:volume, true", "register:*, register:auth, false", "register:*, register:router, false",
			"register:*, register:registry, false", "register:auth, register:auth, true",
			"register:*, call:volume/pkg.S/M, false", "discover, discover, true",
			"admin, discover, false", "admin, admin, true", "call:*/*, admin, false", "discover, register:x, false" })
	void whenGrantMatchedThenOnlyTheSameKindGroupAndMethodAreAllowed(String grant, String action, boolean allowed) {
		assertThat(Grant.parse(grant).allows(Action.parse(action))).isEqualTo(allowed);
	}

	@Test
	void whenClientHasSeveralGrantsThenTheFirstAllowingOneIsNamed() {
		Grants grants = Grants.parse(List.of("discover", "call:compute/pkg.S/*", "call:*/*"));

		assertThat(grants.firstAllowing(Action.parse("call:compute/pkg.S/M"))).get()
			.extracting(Grant::value)
			.isEqualTo("call:compute/pkg.S/*");
		assertThat(grants.firstAllowing(Action.admin())).isEmpty();
	}

	@ParameterizedTest(name = "{0} matches {1}: {2}")
	@CsvSource({ "*, '', true", "a*b*c, abc, true", "a*b*c, aXbYc, true", "a*b*c, aXbY, false", "**, x, true",
			"a*, b, false", "*a, ba, true", "*a, ab, false", "a*a*a*a*b, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, false" })
	void whenGlobMatchedThenStarsMatchAnyRun(String pattern, String text, boolean matches) {
		assertThat(new Glob(pattern).matches(text)).isEqualTo(matches);
	}

}
