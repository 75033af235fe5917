package dev.switchboard.cli;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.switchboard.cli.call.DynamicCaller;

/**
 * Writes descriptors the way {@code describe} prints them: proto-like text with full type names, each method tagged
 * with its streaming kind.
 */
final class DescriptorText {

	private static final String INDENT = "  ";

	private DescriptorText() {
	}

	/**
	 * Describes a service (its methods), a method (its signature, then its request and response types), a message
	 * (its fields, oneofs and nested types) or an enum (its values).
	 * @param descriptor what to describe
	 * @return lines of text, each ending in a newline
	 */
	static String describe(GenericDescriptor descriptor) {
		StringBuilder text = new StringBuilder();
		switch (descriptor) {
			case ServiceDescriptor service -> service(service, text);
			case MethodDescriptor method -> {
				text.append(signature(method)).append('\n');
				text.append('\n');
				message(method.getInputType(), "", text);
				if (!method.getOutputType().equals(method.getInputType())) {
					text.append('\n');
					message(method.getOutputType(), "", text);
				}
			}
			case Descriptor message -> message(message, "", text);
			case EnumDescriptor type -> enumeration(type, "", text);
			default -> text.append(descriptor.getFullName()).append('\n');
		}
		return text.toString();
	}

	/**
	 * One method on one line.
	 * @param method the method
	 * @return e.g. {@code rpc Watch(pkg.WatchRequest) returns (stream pkg.WatchEvent); // server-streaming}
	 */
	static String signature(MethodDescriptor method) {
		return "rpc " + method.getName() + "(" + (method.isClientStreaming() ? "stream " : "")
				+ method.getInputType().getFullName() + ") returns (" + (method.isServerStreaming() ? "stream " : "")
				+ method.getOutputType().getFullName() + "); // " + kind(method);
	}

	/**
	 * The streaming kind of a method.
	 * @param method the method
	 * @return {@code unary}, {@code client-streaming}, {@code server-streaming} or {@code bidi-streaming}
	 */
	static String kind(MethodDescriptor method) {
		return DynamicCaller.methodType(method).name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	private static void service(ServiceDescriptor service, StringBuilder text) {
		text.append("service ").append(service.getFullName()).append(" {\n");
		for (MethodDescriptor method : service.getMethods()) {
			text.append(INDENT).append(signature(method)).append('\n');
		}
		text.append("}\n");
	}

	private static void message(Descriptor message, String indent, StringBuilder text) {
		text.append(indent).append("message ").append(name(message, indent)).append(" {\n");
		String inner = indent + INDENT;
		Set<OneofDescriptor> printed = new HashSet<>();
		for (FieldDescriptor field : message.getFields()) {
			OneofDescriptor oneof = field.getRealContainingOneof();
			if (oneof == null) {
				field(field, inner, text);
			}
			else if (printed.add(oneof)) {
				text.append(inner).append("oneof ").append(oneof.getName()).append(" {\n");
				oneof.getFields().forEach((member) -> field(member, inner + INDENT, text));
				text.append(inner).append("}\n");
			}
		}
		for (Descriptor nested : message.getNestedTypes()) {
			if (!nested.getOptions().getMapEntry()) {
				message(nested, inner, text);
			}
		}
		message.getEnumTypes().forEach((type) -> enumeration(type, inner, text));
		text.append(indent).append("}\n");
	}

	private static void enumeration(EnumDescriptor type, String indent, StringBuilder text) {
		text.append(indent).append("enum ").append(name(type, indent)).append(" {\n");
		for (EnumValueDescriptor value : type.getValues()) {
			text.append(indent).append(INDENT).append(value.getName()).append(" = ").append(value.getNumber())
				.append(";\n");
		}
		text.append(indent).append("}\n");
	}

	private static void field(FieldDescriptor field, String indent, StringBuilder text) {
		text.append(indent).append(label(field)).append(type(field)).append(' ').append(field.getName()).append(" = ")
			.append(field.getNumber()).append(";\n");
	}

	private static String label(FieldDescriptor field) {
		if (field.isMapField()) {
			return "";
		}
		if (field.isRepeated()) {
			return "repeated ";
		}
		if (field.isRequired()) {
			return "required ";
		}
		return field.toProto().getProto3Optional() ? "optional " : "";
	}

	private static String type(FieldDescriptor field) {
		if (field.isMapField()) {
			Descriptor entry = field.getMessageType();
			return "map<" + type(entry.findFieldByNumber(1)) + ", " + type(entry.findFieldByNumber(2)) + ">";
		}
		return switch (field.getJavaType()) {
			case MESSAGE -> field.getMessageType().getFullName();
			case ENUM -> field.getEnumType().getFullName();
			default -> field.getType().name().toLowerCase(Locale.ROOT);
		};
	}

	/** Top-level types by full name, nested ones by simple name inside their parent. */
	private static String name(GenericDescriptor type, String indent) {
		return indent.isEmpty() ? type.getFullName() : type.getName();
	}

}
