package dev.switchboard.client.health;

import dev.switchboard.registry.v1.InstanceStatus;
import org.jspecify.annotations.Nullable;

/**
 * Maps a Spring Boot actuator health status code ({@code UP}, {@code DOWN}, {@code OUT_OF_SERVICE},
 * {@code UNKNOWN} or a custom code) to the status an instance reports to the registry.
 */
public final class HealthStatusMapper {

	private HealthStatusMapper() {
	}

	/**
	 * Returns the instance status for a health status code.
	 * @param code the actuator status code, may be {@code null}
	 * @param ready whether the application has finished starting
	 * @return {@code STARTING} until ready; then {@code UP}, {@code OUT_OF_SERVICE}, or {@code DOWN} for anything else
	 */
	public static InstanceStatus toInstanceStatus(@Nullable String code, boolean ready) {
		if (!ready) {
			return InstanceStatus.STARTING;
		}
		if (code == null) {
			return InstanceStatus.DOWN;
		}
		return switch (code) {
			case "UP" -> InstanceStatus.UP;
			case "OUT_OF_SERVICE" -> InstanceStatus.OUT_OF_SERVICE;
			default -> InstanceStatus.DOWN;
		};
	}

}
