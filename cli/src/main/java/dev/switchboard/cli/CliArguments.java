package dev.switchboard.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One command line, parsed by hand. Options may come before, between or after the operands; long options also take
 * their value as {@code --name=value}.
 *
 * @param command what to do
 * @param target where to connect, e.g. {@code 127.0.0.1:9090}; {@code null} for {@link Command#HELP}
 * @param symbol the service, method or message to describe, or the method to call; {@code null} otherwise
 * @param data where the call's requests come from: inline JSON, {@code @file} or {@code -} for standard input;
 * {@code null} for the default {@code {}}
 * @param headers request metadata for every call, reflection look-ups included
 * @param deadline the call's deadline, counted from when it starts, and the time all reflection look-ups may take;
 * {@code null} for none
 * @param tls whether to connect with TLS rather than plaintext
 * @param verbose whether to print response headers, trailers and the status to standard error
 * @param pretty whether to print responses as indented multi-line JSON
 * @param emitDefaults whether to print fields that hold their default value
 * @param caCertificates a PEM file of the CA certificates TLS trusts instead of the JVM's, without host name checks
 * (the platform CA's certificates name identities, not hosts); {@code null} for the JVM's trust store
 */
record CliArguments(Command command, String target, String symbol, String data, List<Header> headers,
		Duration deadline, boolean tls, boolean verbose, boolean pretty, boolean emitDefaults, Path caCertificates) {

	/** Arguments without a CA file of their own. */
	CliArguments(Command command, String target, String symbol, String data, List<Header> headers, Duration deadline,
			boolean tls, boolean verbose, boolean pretty, boolean emitDefaults) {
		this(command, target, symbol, data, headers, deadline, tls, verbose, pretty, emitDefaults, null);
	}

	private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

	private static final String SEE_HELP = " (see --help)";

	CliArguments {
		requireNonNull(command, "command");
		headers = List.copyOf(headers);
	}

	/** What the command line asks for. */
	enum Command {

		/** Print the usage text. */
		HELP,

		/** List the services the server exposes. */
		LIST,

		/** Print a service, method, message or enum. */
		DESCRIBE,

		/** Call a method with JSON requests. */
		CALL

	}

	/**
	 * Parses a command line.
	 * @param args the arguments as given to {@code main}
	 * @return the parsed arguments; {@link Command#HELP} whenever {@code -h} or {@code --help} appears
	 * @throws UsageException when the command line is not valid, with a one-line message
	 */
	static CliArguments parse(String... args) throws UsageException {
		requireNonNull(args, "args");
		return new Parser(args).parse();
	}

	/**
	 * Parses a duration such as {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m} or {@code 1h}.
	 * @param text the option's value
	 * @return a positive duration
	 * @throws UsageException when the text is not such a duration
	 */
	static Duration parseDuration(String text) throws UsageException {
		Matcher matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
		if (!matcher.matches()) {
			throw new UsageException("deadline '" + text + "' is not a duration like 500ms, 5s, 2m or 1h" + SEE_HELP);
		}
		long unitNanos = switch (matcher.group(2)) {
			case "ms" -> 1_000_000L;
			case "s" -> 1_000_000_000L;
			case "m" -> 60_000_000_000L;
			default -> 3_600_000_000_000L;
		};
		BigDecimal nanos = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unitNanos));
		if (nanos.signum() <= 0 || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
			throw new UsageException("deadline '" + text + "' must be positive and below 292 years" + SEE_HELP);
		}
		return Duration.ofNanos(nanos.longValue());
	}

	/** Walks the arguments once; holds the state of one parse. */
	private static final class Parser {

		private final String[] args;

		private int next;

		private final List<String> operands = new ArrayList<>();

		private final List<Header> headers = new ArrayList<>();

		private String data;

		private Duration deadline;

		private boolean plaintext;

		private boolean tls;

		private Path caCertificates;

		private boolean verbose;

		private boolean pretty;

		private boolean emitDefaults;

		private boolean help;

		Parser(String[] args) {
			this.args = args;
		}

		CliArguments parse() throws UsageException {
			while (this.next < this.args.length) {
				option(this.args[this.next++]);
			}
			if (this.help) {
				return new CliArguments(Command.HELP, null, null, null, List.of(), null, false, false, false, false);
			}
			if ((this.tls || this.caCertificates != null) && this.plaintext) {
				throw new UsageException("--tls and --cacert exclude --plaintext" + SEE_HELP);
			}
			if (this.operands.isEmpty()) {
				throw new UsageException("no command given; one of list, describe, call" + SEE_HELP);
			}
			Command command = command(this.operands.get(0));
			String target = (this.operands.size() > 1) ? this.operands.get(1) : null;
			if (target == null || target.isBlank()) {
				throw new UsageException(name(command) + " needs a target like 127.0.0.1:9090" + SEE_HELP);
			}
			String symbol = switch (command) {
				case LIST -> {
					expectOperands(command, 2, 2);
					yield null;
				}
				case DESCRIBE -> {
					expectOperands(command, 3, 3);
					yield this.operands.get(2);
				}
				case CALL -> {
					expectOperands(command, 3, 4);
					yield checkMethodName(this.operands.get(2));
				}
				case HELP -> throw new IllegalStateException("help is handled above");
			};
			if (this.operands.size() == 4) {
				if (this.data != null) {
					throw new UsageException("request given both as an argument and with -d" + SEE_HELP);
				}
				this.data = this.operands.get(3);
			}
			if (this.data != null && command != Command.CALL) {
				throw new UsageException("-d applies to call only" + SEE_HELP);
			}
			return new CliArguments(command, target, symbol, this.data, this.headers, this.deadline,
					this.tls || this.caCertificates != null, this.verbose, this.pretty, this.emitDefaults,
					this.caCertificates);
		}

		private void option(String arg) throws UsageException {
			if (arg.length() < 2 || !arg.startsWith("-")) {
				this.operands.add(arg);
				return;
			}
			int equals = arg.indexOf('=');
			String name = (arg.startsWith("--") && equals > 0) ? arg.substring(0, equals) : arg;
			String inlineValue = (name.equals(arg)) ? null : arg.substring(equals + 1);
			switch (name) {
				case "-h", "--help" -> this.help = flag(name, inlineValue);
				case "-v", "--verbose" -> this.verbose = flag(name, inlineValue);
				case "--plaintext" -> this.plaintext = flag(name, inlineValue);
				case "--tls" -> this.tls = flag(name, inlineValue);
				case "--cacert" -> this.caCertificates = Path.of(value(name, inlineValue));
				case "--pretty" -> this.pretty = flag(name, inlineValue);
				case "--emit-defaults" -> this.emitDefaults = flag(name, inlineValue);
				case "-H", "--header" -> this.headers.add(Header.parse(value(name, inlineValue)));
				case "--deadline" -> this.deadline = parseDuration(value(name, inlineValue));
				case "-d", "--data" -> {
					String value = value(name, inlineValue);
					if (this.data != null) {
						throw new UsageException("-d given more than once" + SEE_HELP);
					}
					this.data = value;
				}
				default -> throw new UsageException("unknown option '" + name + "'" + SEE_HELP);
			}
		}

		private static boolean flag(String name, String inlineValue) throws UsageException {
			if (inlineValue != null) {
				throw new UsageException("option " + name + " takes no value" + SEE_HELP);
			}
			return true;
		}

		private String value(String name, String inlineValue) throws UsageException {
			if (inlineValue != null) {
				return inlineValue;
			}
			if (this.next >= this.args.length) {
				throw new UsageException("option " + name + " needs a value" + SEE_HELP);
			}
			return this.args[this.next++];
		}

		private void expectOperands(Command command, int min, int max) throws UsageException {
			int count = this.operands.size();
			if (count < min) {
				String missing = (command == Command.DESCRIBE) ? "a service, method or message name"
						: "a method like package.Service/Method";
				throw new UsageException(name(command) + " needs " + missing + SEE_HELP);
			}
			if (count > max) {
				throw new UsageException("unexpected argument '" + this.operands.get(max) + "'" + SEE_HELP);
			}
		}

		private static Command command(String name) throws UsageException {
			return switch (name) {
				case "list" -> Command.LIST;
				case "describe" -> Command.DESCRIBE;
				case "call" -> Command.CALL;
				default -> throw new UsageException(
						"unknown command '" + name + "'; one of list, describe, call" + SEE_HELP);
			};
		}

		private static String checkMethodName(String method) throws UsageException {
			String name = method.startsWith(".") ? method.substring(1) : method;
			int split = (name.indexOf('/') >= 0) ? name.lastIndexOf('/') : name.lastIndexOf('.');
			if (split <= 0 || split == name.length() - 1) {
				throw new UsageException("method '" + method + "' is not like package.Service/Method" + SEE_HELP);
			}
			return method;
		}

		private static String name(Command command) {
			return command.name().toLowerCase(Locale.ROOT);
		}

	}

}
