package dev.switchboard.cli.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.List;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthProto;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

	private static final MethodDescriptor CHECK = HealthProto.getDescriptor()
		.findServiceByName("Health")
		.findMethodByName("Check");

	private final JsonCodec codec = JsonCodec.forMethod(CHECK);

	@Test
	void whenOneObjectSpansLinesThenItIsOneRequest() throws InvalidProtocolBufferException {
		List<DynamicMessage> requests = this.codec.parseRequests("{\n  \"service\": \"compute\"\n}\n");

		assertThat(requests).extracting(JsonCodecTest::service).containsExactly("compute");
	}

	@Test
	void whenJsonArrayThenEachElementIsARequest() throws InvalidProtocolBufferException {
		List<DynamicMessage> requests = this.codec.parseRequests("[{\"service\":\"a\"}, {}, {\"service\":\"c\"}]");

		assertThat(requests).extracting(JsonCodecTest::service).containsExactly("a", "", "c");
	}

	@Test
	void whenObjectsFollowEachOtherOnLinesThenEachIsARequest() throws InvalidProtocolBufferException {
		List<DynamicMessage> requests = this.codec.parseRequests("{\"service\":\"a\"}\n\n{\"service\":\"b\"}\n");

		assertThat(requests).extracting(JsonCodecTest::service).containsExactly("a", "b");
	}

	@Test
	void whenTextIsBlankThenThereAreNoRequests() throws InvalidProtocolBufferException {
		assertThat(this.codec.parseRequests(" \n")).isEmpty();
	}

	@Test
	void whenTextIsNotJsonThenOneLineErrorSaysSo() {
		assertThatExceptionOfType(InvalidProtocolBufferException.class)
			.isThrownBy(() -> this.codec.parseRequests("{\"service\":"))
			.withMessageStartingWith("not JSON: ")
			.withMessageNotContaining("\n");
	}

	@Test
	void whenFieldIsUnknownThenErrorNamesIt() {
		assertThatExceptionOfType(InvalidProtocolBufferException.class)
			.isThrownBy(() -> this.codec.parseRequests("{\"service\":\"a\"}\n{\"servce\":\"b\"}"))
			.withMessageStartingWith("request 2: ")
			.withMessageContaining("servce");
	}

	@Test
	void whenArrayElementIsNotAnObjectThenItIsRejected() {
		assertThatExceptionOfType(InvalidProtocolBufferException.class)
			.isThrownBy(() -> this.codec.parseRequests("[{}, 3]"))
			.withMessage("request 2 is not a JSON object: 3");
	}

	@Test
	void whenParsedThenTheRequestIsOfTheMethodsRequestType() throws Exception {
		DynamicMessage request = this.codec.parseRequests("{\"service\":\"compute\"}").get(0);

		assertThat(HealthCheckRequest.parseFrom(request.toByteString()).getService()).isEqualTo("compute");
	}

	@Test
	void whenPrintedThenOneLineWithoutDefaultFields() throws InvalidProtocolBufferException {
		HealthCheckResponse unknown = HealthCheckResponse.newBuilder().setStatus(ServingStatus.UNKNOWN).build();
		HealthCheckResponse serving = HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build();

		assertThat(this.codec.print(unknown)).isEqualTo("{}");
		assertThat(this.codec.print(serving)).isEqualTo("{\"status\":\"SERVING\"}");
		assertThat(this.codec.withDefaultValues().print(unknown)).isEqualTo("{\"status\":\"UNKNOWN\"}");
		assertThat(this.codec.withPrettyPrinting().print(serving)).isEqualTo("{\n  \"status\": \"SERVING\"\n}");
	}

	private static String service(DynamicMessage request) {
		return (String) request.getField(request.getDescriptorForType().findFieldByName("service"));
	}

}
