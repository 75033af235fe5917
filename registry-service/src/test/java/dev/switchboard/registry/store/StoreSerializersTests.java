package dev.switchboard.registry.store;

import java.util.List;
import java.util.Map;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import dev.switchboard.registry.v1.InstanceStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What crosses between registry replicas (backups, remote partitions) survives the trip, without Java serialization. */
class StoreSerializersTests {

	private final InternalSerializationService serialization = serializationService();

	private final InstanceRecord record = new InstanceRecord("compute", "compute-1", "10.0.0.1", 9201,
			List.of("a.v1.A", "b.v1.B"), "http://10.0.0.1:8201/actuator", "zone-a", 50, Map.of("k", "v", "x", ""),
			InstanceStatus.UP, true, true, "stream-1", 7, 1_700_000_000_123L, "compute-client");

	@Test
	void whenRecordRoundTripsThenEqual() {
		assertThat(roundTrip(this.record)).isEqualTo(this.record);
	}

	@Test
	void whenProcessorsAndResultsRoundTripThenEqual() {
		List<Object> values = List.of(new InstanceStore.Register(this.record),
				new InstanceStore.Register.Result(this.record, null, false),
				new InstanceStore.Register.Result(null, "other", false), InstanceStore.Register.Result.CREATED,
				InstanceStore.Register.Result.OWNED_BY_ANOTHER,
				new InstanceStore.Heartbeat("compute", "s1", InstanceStatus.OUT_OF_SERVICE, 3),
				new InstanceStore.Beat(InstanceStatus.DOWN, true), new InstanceStore.StreamBroken("s2"),
				new InstanceStore.Deregister("volume", "client-1"), new InstanceStore.Deregister("volume", null),
				new InstanceStore.ForceOutOfService(true),
				new InstanceStore.StartLease(1_700_000_000_456L), new LeaseRecord(1_700_000_000_789L, null),
				new LeaseRecord(1_700_000_000_789L, java.util.UUID.randomUUID()),
				new InstanceStore.ReleaseLease(java.util.UUID.randomUUID(), 1_700_000_001_000L),
				new InstanceStore.EndHeldLease(java.util.UUID.randomUUID()));
		for (Object value : values) {
			assertThat(roundTrip(value)).isEqualTo(value);
		}
	}

	@Test
	void whenSerializedThenNotJavaSerialization() {
		byte[] bytes = this.serialization.toData(this.record).toByteArray();
		assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("java.util");
	}

	private Object roundTrip(Object value) {
		return this.serialization.toObject(this.serialization.toData(value));
	}

	private static InternalSerializationService serializationService() {
		SerializationConfig config = new SerializationConfig();
		StoreSerializers.configure(config);
		return new DefaultSerializationServiceBuilder().setConfig(config).build();
	}

}
