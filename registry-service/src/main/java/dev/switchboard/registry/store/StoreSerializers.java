package dev.switchboard.registry.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import dev.switchboard.registry.v1.InstanceStatus;

/**
 * Hazelcast serializers for what the store keeps and the entry processors it sends: compact field-by-field streams
 * instead of Java serialization, which cost most of the registry's CPU per heartbeat. Registered per class, so they
 * take precedence over {@code Serializable}.
 */
public final class StoreSerializers {

	private StoreSerializers() {
	}

	/** Registers every serializer on {@code config}. */
	public static void configure(SerializationConfig config) {
		add(config, InstanceRecord.class, 1001, StoreSerializers::writeRecord, StoreSerializers::readRecord);
		add(config, InstanceStore.Register.class, 1002, (out, p) -> writeRecord(out, p.candidate()),
				(in) -> new InstanceStore.Register(readRecord(in)));
		add(config, InstanceStore.Register.Result.class, 1003, (out, r) -> {
			writeNullableRecord(out, r.updated());
			out.writeString(r.conflictingGroup());
			out.writeBoolean(r.ownedByAnother());
		}, (in) -> new InstanceStore.Register.Result(readNullableRecord(in), in.readString(), in.readBoolean()));
		add(config, InstanceStore.Heartbeat.class, 1004, (out, h) -> {
			out.writeString(h.group());
			out.writeString(h.streamId());
			out.writeInt(h.reported().getNumber());
			out.writeInt(h.inFlight());
		}, (in) -> new InstanceStore.Heartbeat(in.readString(), in.readString(), status(in.readInt()), in.readInt()));
		add(config, InstanceStore.Beat.class, 1005, (out, b) -> {
			out.writeInt(b.status().getNumber());
			out.writeBoolean(b.forcedOutOfService());
		}, (in) -> new InstanceStore.Beat(status(in.readInt()), in.readBoolean()));
		add(config, InstanceStore.StreamBroken.class, 1006, (out, p) -> out.writeString(p.streamId()),
				(in) -> new InstanceStore.StreamBroken(in.readString()));
		add(config, InstanceStore.Deregister.class, 1007, (out, p) -> {
			out.writeString(p.group());
			out.writeString(p.principal());
		}, (in) -> new InstanceStore.Deregister(in.readString(), in.readString()));
		add(config, InstanceStore.ForceOutOfService.class, 1008, (out, p) -> out.writeBoolean(p.forced()),
				(in) -> new InstanceStore.ForceOutOfService(in.readBoolean()));
		add(config, InstanceStore.StartLease.class, 1009, (out, p) -> out.writeLong(p.millis()),
				(in) -> new InstanceStore.StartLease(in.readLong()));
		add(config, LeaseRecord.class, 1010, (out, l) -> {
			out.writeLong(l.renewedMillis());
			writeNullableUuid(out, l.holder());
		}, (in) -> new LeaseRecord(in.readLong(), readNullableUuid(in)));
		add(config, InstanceStore.ReleaseLease.class, 1011, (out, p) -> {
			writeNullableUuid(out, p.holder());
			out.writeLong(p.millis());
		}, (in) -> new InstanceStore.ReleaseLease(readNullableUuid(in), in.readLong()));
		add(config, InstanceStore.EndHeldLease.class, 1012, (out, p) -> writeNullableUuid(out, p.holder()),
				(in) -> new InstanceStore.EndHeldLease(readNullableUuid(in)));
	}

	private static void writeNullableUuid(ObjectDataOutput out, UUID uuid) throws IOException {
		out.writeBoolean(uuid != null);
		if (uuid != null) {
			out.writeLong(uuid.getMostSignificantBits());
			out.writeLong(uuid.getLeastSignificantBits());
		}
	}

	private static UUID readNullableUuid(ObjectDataInput in) throws IOException {
		return in.readBoolean() ? new UUID(in.readLong(), in.readLong()) : null;
	}

	static void writeRecord(ObjectDataOutput out, InstanceRecord record) throws IOException {
		out.writeString(record.group());
		out.writeString(record.instanceId());
		out.writeString(record.host());
		out.writeInt(record.port());
		out.writeInt(record.services().size());
		for (String service : record.services()) {
			out.writeString(service);
		}
		out.writeString(record.managementUrl());
		out.writeString(record.zone());
		out.writeInt(record.weight());
		out.writeInt(record.metadata().size());
		for (Map.Entry<String, String> entry : record.metadata().entrySet()) {
			out.writeString(entry.getKey());
			out.writeString(entry.getValue());
		}
		out.writeInt(record.reported().getNumber());
		out.writeBoolean(record.forcedOutOfService());
		out.writeBoolean(record.streamBroken());
		out.writeString(record.streamId());
		out.writeInt(record.inFlight());
		out.writeLong(record.registeredAtMillis());
		out.writeString(record.owner());
	}

	static InstanceRecord readRecord(ObjectDataInput in) throws IOException {
		String group = in.readString();
		String instanceId = in.readString();
		String host = in.readString();
		int port = in.readInt();
		int serviceCount = in.readInt();
		List<String> services = new ArrayList<>(serviceCount);
		for (int i = 0; i < serviceCount; i++) {
			services.add(in.readString());
		}
		String managementUrl = in.readString();
		String zone = in.readString();
		int weight = in.readInt();
		int metadataCount = in.readInt();
		Map<String, String> metadata = new HashMap<>();
		for (int i = 0; i < metadataCount; i++) {
			metadata.put(in.readString(), in.readString());
		}
		return new InstanceRecord(group, instanceId, host, port, services, managementUrl, zone, weight, metadata,
				status(in.readInt()), in.readBoolean(), in.readBoolean(), in.readString(), in.readInt(), in.readLong(),
				in.readString());
	}

	private static void writeNullableRecord(ObjectDataOutput out, InstanceRecord record) throws IOException {
		out.writeBoolean(record != null);
		if (record != null) {
			writeRecord(out, record);
		}
	}

	private static InstanceRecord readNullableRecord(ObjectDataInput in) throws IOException {
		return in.readBoolean() ? readRecord(in) : null;
	}

	private static InstanceStatus status(int number) {
		InstanceStatus status = InstanceStatus.forNumber(number);
		return (status != null) ? status : InstanceStatus.INSTANCE_STATUS_UNSPECIFIED;
	}

	private static <T> void add(SerializationConfig config, Class<T> type, int typeId, Writer<T> writer,
			Reader<T> reader) {
		config.addSerializerConfig(new SerializerConfig().setTypeClass(type).setImplementation(new StreamSerializer<T>() {

			@Override
			public void write(ObjectDataOutput out, T object) throws IOException {
				writer.write(out, object);
			}

			@Override
			public T read(ObjectDataInput in) throws IOException {
				return reader.read(in);
			}

			@Override
			public int getTypeId() {
				return typeId;
			}
		}));
	}

	@FunctionalInterface
	private interface Writer<T> {

		void write(ObjectDataOutput out, T object) throws IOException;

	}

	@FunctionalInterface
	private interface Reader<T> {

		T read(ObjectDataInput in) throws IOException;

	}

}
