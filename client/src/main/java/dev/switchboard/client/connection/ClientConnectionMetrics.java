package dev.switchboard.client.connection;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes a {@link ClientConnectionManager}'s statistics to Micrometer, one set of meters per service (tag
 * {@code service}), registered when the service's first connection opens:
 * <ul>
 * <li>{@value #CONNECTIONS} (gauge): connections open now;</li>
 * <li>{@value #PEAK} (gauge): most connections open at once since start;</li>
 * <li>{@value #OPENED} and {@value #CLOSED} (counters): connections opened and closed;</li>
 * <li>{@value #CALLS} (counter): calls started on the service's connections.</li>
 * </ul>
 * The meters read the manager's own counters when the registry polls them; nothing is added to the call path.
 * Thread-safe.
 */
public final class ClientConnectionMetrics implements MeterBinder {

	public static final String CONNECTIONS = "switchboard.grpc.client.connections";

	public static final String PEAK = "switchboard.grpc.client.connections.peak";

	public static final String OPENED = "switchboard.grpc.client.opened";

	public static final String CLOSED = "switchboard.grpc.client.closed";

	public static final String CALLS = "switchboard.grpc.client.calls";

	private final ClientConnectionManager manager;

	public ClientConnectionMetrics(ClientConnectionManager manager) {
		this.manager = Objects.requireNonNull(manager, "manager");
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Set<String> bound = ConcurrentHashMap.newKeySet();
		// listen first, then catch up, so no service slips between the two
		this.manager.addListener(new ConnectionListener() {

			@Override
			public void opened(ClientConnection connection) {
				if (bound.add(connection.service())) {
					register(registry, connection.service());
				}
			}

		});
		for (String service : this.manager.services()) {
			if (bound.add(service)) {
				register(registry, service);
			}
		}
	}

	private void register(MeterRegistry registry, String service) {
		Tags tags = Tags.of("service", service);
		gauge(registry, CONNECTIONS, "Client connections open now", tags, service, ServiceStatistics::live);
		gauge(registry, PEAK, "Most client connections open at once since start", tags, service,
				ServiceStatistics::peak);
		counter(registry, OPENED, "Client connections opened", tags, service, ServiceStatistics::opened);
		counter(registry, CLOSED, "Client connections closed", tags, service, ServiceStatistics::closed);
		FunctionCounter.builder(CALLS, this.manager, (manager) -> manager.statistics(service).calls())
			.description("Calls started on client connections")
			.baseUnit("calls")
			.tags(tags)
			.register(registry);
	}

	private void gauge(MeterRegistry registry, String name, String description, Tags tags, String service,
			ToDoubleFunction<ServiceStatistics> value) {
		Gauge.builder(name, this.manager, (manager) -> value.applyAsDouble(manager.statistics(service)))
			.description(description)
			.baseUnit("connections")
			.tags(tags)
			.strongReference(true)
			.register(registry);
	}

	private void counter(MeterRegistry registry, String name, String description, Tags tags, String service,
			ToDoubleFunction<ServiceStatistics> value) {
		FunctionCounter.builder(name, this.manager, (manager) -> value.applyAsDouble(manager.statistics(service)))
			.description(description)
			.baseUnit("connections")
			.tags(tags)
			.register(registry);
	}

}
