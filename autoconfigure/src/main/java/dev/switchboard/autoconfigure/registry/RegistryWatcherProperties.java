package dev.switchboard.autoconfigure.registry;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the registry watcher reconnects, under {@code switchboard.component.registry}: the same settings, and the same
 * defaults, the component starter's heartbeat reconnects with.
 *
 * @param initialBackoff The ceiling of the first wait before reconnecting
 * @param maxBackoff The largest wait before reconnecting
 */
@ConfigurationProperties("switchboard.component.registry")
public record RegistryWatcherProperties(@DefaultValue("100ms") Duration initialBackoff,
		@DefaultValue("3s") Duration maxBackoff) {

}
