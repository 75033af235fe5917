package dev.switchboard.client.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceExceptionHandlerTests {

	private final ServiceExceptionHandler handler = ServiceExceptionHandler.of("test")
		.withUnavailable(UncheckedIOException.class, "test store unavailable; use another replica");

	@Test
	void refusalKeepsItsCodeAndReason() {
		Status status = this.handler.toStatus(RefusalException.resourceExhausted("over quota"));

		assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(status.getDescription()).isEqualTo("over quota");
	}

	@Test
	void refusalCarriesNoStackTrace() {
		assertThat(RefusalException.notFound("gone").getStackTrace()).isEmpty();
	}

	@Test
	void statusOfADownstreamCallPassesThrough() {
		Status status = this.handler
			.toStatus(Status.FAILED_PRECONDITION.withDescription("not UP").asRuntimeException());

		assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
		assertThat(status.getDescription()).isEqualTo("not UP");
	}

	@Test
	void infrastructureFailureNamedByTheServiceIsUnavailable() {
		Status status = this.handler.toStatus(new UncheckedIOException(new IOException("disk gone")));

		assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(status.getDescription()).isEqualTo("test store unavailable; use another replica");
	}

	@Test
	void anythingElseIsInternalWithoutItsMessage() {
		Status status = this.handler.toStatus(new IllegalStateException("secret detail"));

		assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
		assertThat(status.getDescription()).isEqualTo("internal test error");
	}

	@Test
	void handledExceptionIsTheStatusWithTheExceptionAsCause() {
		RefusalException refused = RefusalException.permissionDenied("not yours");

		assertThat(this.handler.handleException(refused).getStatus().getCause()).isSameAs(refused);
	}

	@Test
	void replySendsTheAnswerOrTheStatusOfTheFailure() {
		Recording answered = new Recording();
		Recording refused = new Recording();

		this.handler.reply(answered, () -> "ok");
		this.handler.reply(refused, () -> {
			throw RefusalException.invalidArgument("bad name");
		});

		assertThat(answered.values).isEqualTo("ok");
		assertThat(answered.completed).isTrue();
		assertThat(refused.error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(refused.error.getStatus().getDescription()).isEqualTo("bad name");
		assertThat(refused.values).isEmpty();
	}

	private static final class Recording implements StreamObserver<String> {

		private String values = "";

		private boolean completed;

		private StatusRuntimeException error;

		@Override
		public void onNext(String value) {
			this.values += value;
		}

		@Override
		public void onError(Throwable error) {
			this.error = (StatusRuntimeException) error;
		}

		@Override
		public void onCompleted() {
			this.completed = true;
		}

	}

}
