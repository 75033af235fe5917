package dev.switchboard.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.cli.CliArguments.Command;
import dev.switchboard.cli.call.DynamicCaller;
import dev.switchboard.cli.call.JsonCodec;
import dev.switchboard.cli.reflection.ReflectionClient;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

/**
 * A grpcurl-like command-line client that needs no {@code .proto} files: it learns services and message types from
 * the server's reflection service, sends JSON requests as dynamic messages and prints responses as JSON.
 * <p>
 * {@link #main} runs one command against the real transport and exits with its status; {@link #run} is the same
 * without the exit, on a given {@link ChannelOpener} and streams, for tests and embedding. One instance runs one
 * command at a time; {@code run} blocks the calling thread until the command is done and always shuts its channel
 * down.
 */
public final class SwitchboardCli {

	/** Exit status when the command did what it was asked. */
	public static final int EXIT_OK = 0;

	/** Exit status for a command line that cannot run: bad arguments, an unreadable file, invalid request JSON. */
	public static final int EXIT_USAGE = 1;

	/** Exit status when a call, reflection included, ends with a gRPC status other than OK. */
	public static final int EXIT_STATUS = 2;

	/** How long the reflection look-ups of one command may take together when no --deadline is given. */
	private static final Duration REFLECTION_TIMEOUT = Duration.ofSeconds(30);

	// held here because JUL keeps loggers weakly: a level set on a collected logger is lost
	private static final List<Logger> QUIET_LOGGERS = List.of(Logger.getLogger("io.grpc"),
			Logger.getLogger("io.netty"));

	static final String USAGE = """
			Usage: switchboard-cli <command> <host:port> [arguments] [options]
			       (switchboard-cli is java -jar switchboard-cli-<version>-exec.jar)

			Learns services and message types from the server's reflection service
			(grpc.reflection.v1, else v1alpha), so no .proto files are needed.

			Commands:
			  list <host:port>
			      List the services the server exposes.
			  describe <host:port> <symbol>
			      Show a service's methods, a method (pkg.Service/Method) with its request and
			      response types, a message's fields or an enum's values.
			  call <host:port> <pkg.Service/Method> [json]
			      Call a method with JSON requests; print each response as one line of JSON on
			      standard output as it arrives. [json] is the same as -d json.

			Options:
			  -d, --data <json|@file|->   the request(s) for call: inline JSON, a file, or - for
			                              standard input; {} when not given. Client- and
			                              bidi-streaming methods take a JSON array or objects one
			                              after another (one per line); the others take one object.
			  -H, --header 'name: value'  add request metadata, on reflection look-ups too;
			                              repeatable. Values of names ending in -bin are base64.
			                              Without an authorization header, the token in
			                              SWITCHBOARD_TOKEN (if set) goes as 'Bearer <token>': a
			                              token there is not on a command line.
			  --deadline <duration>       the call's deadline, counted from when it starts, e.g.
			                              500ms, 5s, 2m, 1h; the reflection look-ups before it get
			                              as long again. No deadline by default (30s for reflection).
			  --plaintext                 connect without TLS (the default).
			  --tls                       connect with TLS, trusting the JVM's trust store (or the
			                              CA file SWITCHBOARD_CACERT names; ./switchboard sets the
			                              local platform's).
			  --cacert <file>             connect with TLS, trusting only the CA certificates in this
			                              PEM file (the platform CA: the server must present a
			                              platform identity; host names are not checked).
			  -v, --verbose               print response headers, trailers and status on standard
			                              error.
			  --pretty                    print responses as indented multi-line JSON.
			  --emit-defaults             print fields that hold their default value too.
			  -h, --help                  print this help.

			Exit status:
			  0  the command succeeded
			  1  usage error: bad arguments, an unreadable file, invalid request JSON
			  2  a gRPC error from the server or the connection, printed on standard error as
			     ERROR: <CODE>: <description>

			Examples:
			  switchboard-cli list 127.0.0.1:9090
			  switchboard-cli describe 127.0.0.1:9090 switchboard.registry.v1.Registry
			  switchboard-cli call 127.0.0.1:9090 switchboard.registry.v1.Registry/GetGroup '{"name":"compute"}'
			  switchboard-cli call 127.0.0.1:9090 switchboard.registry.v1.Registry/Watch --deadline 30s \\
			      -H 'authorization: Bearer token'
			""";

	private final ChannelOpener channels;

	private final InputStream stdin;

	private final PrintStream out;

	private final PrintStream err;

	/**
	 * Creates a CLI.
	 * @param channels opens the channel of each command
	 * @param stdin where {@code -d -} reads requests from
	 * @param out where results go: service names, descriptions, response JSON, the usage text
	 * @param err where errors go, one line each, and what {@code -v} prints
	 */
	public SwitchboardCli(ChannelOpener channels, InputStream stdin, PrintStream out, PrintStream err) {
		this.channels = requireNonNull(channels, "channels");
		this.stdin = requireNonNull(stdin, "stdin");
		this.out = requireNonNull(out, "out");
		this.err = requireNonNull(err, "err");
	}

	/**
	 * Runs one command and exits with its status.
	 * @param args the command line, as {@code --help} describes it
	 */
	public static void main(String[] args) {
		QUIET_LOGGERS.forEach((logger) -> logger.setLevel(Level.OFF));
		int status = new SwitchboardCli(ChannelOpener.transport(), System.in, System.out, System.err).run(args);
		System.out.flush();
		System.exit(status);
	}

	/**
	 * Runs one command.
	 * @param args the command line
	 * @return {@link #EXIT_OK}, {@link #EXIT_USAGE} or {@link #EXIT_STATUS}; on any other result than OK one line
	 * starting with {@code ERROR: } has been printed on the error stream
	 */
	public int run(String... args) {
		requireNonNull(args, "args");
		try {
			CliArguments arguments = CliArguments.parse(args);
			if (arguments.command() == Command.HELP) {
				this.out.print(USAGE);
				this.out.flush();
				return EXIT_OK;
			}
			return execute(arguments);
		}
		catch (UsageException ex) {
			return fail(EXIT_USAGE, ex.getMessage());
		}
		catch (StatusRuntimeException ex) {
			return fail(EXIT_STATUS, describe(ex.getStatus()));
		}
	}

	/**
	 * Describes a status on one line.
	 * @param status the status
	 * @return {@code CODE: description}, with the cause's message when it adds something; just {@code OK} for a plain
	 * OK
	 */
	static String describe(Status status) {
		String description = status.getDescription();
		if (status.isOk() && description == null) {
			return status.getCode().name();
		}
		StringBuilder text = new StringBuilder(status.getCode().name()).append(": ")
			.append((description != null) ? description : "(no description)");
		Throwable cause = status.getCause();
		if (cause != null && cause.getMessage() != null
				&& (description == null || !description.contains(cause.getMessage()))) {
			text.append(" (").append(cause.getMessage()).append(')');
		}
		return oneLine(text.toString());
	}

	private int execute(CliArguments arguments) throws UsageException {
		String requestJson = (arguments.command() == Command.CALL) ? readRequests(arguments.data()) : null;
		Duration reflectionTimeout = (arguments.deadline() != null) ? arguments.deadline() : REFLECTION_TIMEOUT;
		ManagedChannel managed;
		try {
			managed = this.channels.open(arguments.target(), arguments.tls(), arguments.caCertificates());
		}
		catch (IllegalArgumentException ex) {
			throw new UsageException("cannot connect to '" + arguments.target() + "': " + ex.getMessage(), ex);
		}
		try {
			Channel channel = ClientInterceptors.intercept(managed,
					MetadataUtils.newAttachHeadersInterceptor(Header.toMetadata(
							Header.withBearer(arguments.headers(), System.getenv("SWITCHBOARD_TOKEN")))));
			Deadline reflectionDeadline = Deadline.after(reflectionTimeout.toNanos(), TimeUnit.NANOSECONDS);
			ReflectionClient reflection = new ReflectionClient(channel,
					CallOptions.DEFAULT.withDeadline(reflectionDeadline));
			return switch (arguments.command()) {
				case LIST -> list(reflection);
				case DESCRIBE -> describe(reflection, arguments.symbol());
				case CALL -> call(reflection, channel, arguments, requestJson);
				case HELP -> throw new IllegalStateException("help needs no channel");
			};
		}
		finally {
			shutDown(managed);
		}
	}

	private int list(ReflectionClient reflection) {
		reflection.listServices().forEach(this.out::println);
		this.out.flush();
		return EXIT_OK;
	}

	private int describe(ReflectionClient reflection, String symbol) {
		this.out.print(DescriptorText.describe(reflection.resolve(symbol)));
		this.out.flush();
		return EXIT_OK;
	}

	private int call(ReflectionClient reflection, Channel channel, CliArguments arguments, String requestJson)
			throws UsageException {
		MethodDescriptor method = reflection.resolveMethod(arguments.symbol());
		JsonCodec codec = JsonCodec.forMethod(method);
		codec = arguments.pretty() ? codec.withPrettyPrinting() : codec;
		codec = arguments.emitDefaults() ? codec.withDefaultValues() : codec;
		List<DynamicMessage> requests;
		try {
			requests = codec.parseRequests(requestJson);
		}
		catch (InvalidProtocolBufferException ex) {
			throw new UsageException("invalid request JSON for " + method.getInputType().getFullName() + ": "
					+ ex.getMessage(), ex);
		}
		if (DynamicCaller.methodType(method).clientSendsOneMessage() && requests.size() != 1) {
			throw new UsageException(method.getService().getFullName() + "/" + method.getName() + " is "
					+ DescriptorText.kind(method) + " and takes exactly one request object, not " + requests.size());
		}
		// the call's own deadline starts now: a cold JVM may have spent a good part of a second on reflection
		CallOptions options = (arguments.deadline() != null)
				? CallOptions.DEFAULT.withDeadlineAfter(arguments.deadline().toNanos(), TimeUnit.NANOSECONDS)
				: CallOptions.DEFAULT;
		Status status = new DynamicCaller(channel).call(method, requests, options,
				new ResponsePrinter(codec, this.out, this.err, arguments.verbose()));
		return status.isOk() ? EXIT_OK : fail(EXIT_STATUS, describe(status));
	}

	private String readRequests(String data) throws UsageException {
		if (data == null) {
			return "{}";
		}
		if (data.equals("-")) {
			try {
				return new String(this.stdin.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UsageException("cannot read requests from standard input: " + ex.getMessage(), ex);
			}
		}
		if (data.startsWith("@")) {
			String file = data.substring(1);
			try {
				return Files.readString(Path.of(file));
			}
			catch (NoSuchFileException ex) {
				throw new UsageException("request file '" + file + "' does not exist", ex);
			}
			catch (IOException | InvalidPathException ex) {
				throw new UsageException("cannot read request file '" + file + "': " + ex.getMessage(), ex);
			}
		}
		return data;
	}

	private int fail(int exitStatus, String message) {
		this.out.flush();
		this.err.println("ERROR: " + oneLine(message));
		this.err.flush();
		return exitStatus;
	}

	private static void shutDown(ManagedChannel channel) {
		channel.shutdownNow();
		try {
			channel.awaitTermination(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static String oneLine(String text) {
		return text.strip().replaceAll("\\s*\\R\\s*", " ");
	}

}
