package dev.switchboard.dashboard.platform;

import java.util.List;
import java.util.Objects;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The platform view's JSON API, behind the dashboard's login: {@code GET /platform/api/groups} lists every group and
 * replica, {@code POST /platform/api/replicas/{instanceId}/out-of-service} with {@code {"outOfService": true}} forces
 * a replica out of service ({@code false} clears it). A registry refusal comes back as {@link PlatformApiError} with
 * the gRPC status and reason. Each request blocks a servlet thread on the registry.
 */
@RestController
@RequestMapping("/platform/api")
public final class PlatformApiController {

	private static final Logger logger = LoggerFactory.getLogger(PlatformApiController.class);

	private final PlatformRegistry registry;

	public PlatformApiController(PlatformRegistry registry) {
		this.registry = Objects.requireNonNull(registry, "registry");
	}

	@GetMapping("/groups")
	public List<PlatformGroup> groups() {
		return this.registry.groups();
	}

	@PostMapping("/replicas/{instanceId}/out-of-service")
	public ResponseEntity<?> setOutOfService(@PathVariable String instanceId, @RequestBody OutOfService request) {
		if (request.outOfService() == null) {
			return ResponseEntity.badRequest().body(PlatformApiError.invalidArgument("outOfService is missing"));
		}
		PlatformReplica replica = this.registry.setOutOfService(instanceId, request.outOfService());
		logger.info("Replica '{}' {} by the dashboard", instanceId,
				request.outOfService() ? "forced OUT_OF_SERVICE" : "back in service");
		return ResponseEntity.ok(replica);
	}

	@ExceptionHandler(StatusRuntimeException.class)
	ResponseEntity<PlatformApiError> registryRefused(StatusRuntimeException ex) {
		Status status = ex.getStatus();
		logger.warn("Registry answered {}", status);
		return ResponseEntity.status(PlatformApiError.httpStatus(status.getCode())).body(PlatformApiError.of(status));
	}

	/**
	 * The body of an OUT_OF_SERVICE switch.
	 *
	 * @param outOfService whether to force the replica out of service ({@code false} clears it)
	 */
	public record OutOfService(Boolean outOfService) {
	}

}
