package dev.switchboard.router.proxy;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.grpc.MethodDescriptor;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A method the router forwards: its pass-through descriptor (requests as arrays, which failover can replay; responses
 * in the transport's buffers, see {@link ResponseMarshaller}), its service name, and its meters per group, resolved
 * once and reused. Thread-safe.
 */
final class ProxiedMethod {

	private final MethodDescriptor<byte[], InputStream> descriptor;

	private final String serviceName;

	private final MeterRegistry meters;

	private final Map<String, CallMeters> metersByGroup = new ConcurrentHashMap<>(2);

	/** The meters of the group last routed to: almost always the only one. */
	private volatile CallMeters lastMeters;

	ProxiedMethod(String fullMethodName, MeterRegistry meters) {
		this.descriptor = MethodDescriptor.<byte[], InputStream>newBuilder()
			.setType(MethodDescriptor.MethodType.UNKNOWN)
			.setFullMethodName(fullMethodName)
			.setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
			.setResponseMarshaller(ResponseMarshaller.INSTANCE)
			.build();
		String service = MethodDescriptor.extractFullServiceName(fullMethodName);
		this.serviceName = (service != null) ? service : "";
		this.meters = meters;
	}

	MethodDescriptor<byte[], InputStream> descriptor() {
		return this.descriptor;
	}

	String fullMethodName() {
		return this.descriptor.getFullMethodName();
	}

	String serviceName() {
		return this.serviceName;
	}

	CallMeters meters(String group) {
		CallMeters last = this.lastMeters;
		if (last != null && last.group().equals(group)) {
			return last;
		}
		CallMeters meters = this.metersByGroup.computeIfAbsent(group,
				(name) -> new CallMeters(this.meters, name, fullMethodName()));
		this.lastMeters = meters;
		return meters;
	}

}
