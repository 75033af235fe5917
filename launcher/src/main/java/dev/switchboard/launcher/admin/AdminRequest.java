package dev.switchboard.launcher.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.launcher.LauncherException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One {@code ./switchboard admin} command as the gRPC call it makes: which service (auth or registry), which method,
 * and the request as JSON. Immutable.
 * @param auth whether auth serves it (else the registry)
 * @param method the full method name
 * @param body the request message as JSON
 */
public record AdminRequest(boolean auth, String method, String body) {

	/** What {@code admin} without a known command prints. */
	public static final String USAGE = """
			usage: ./switchboard admin <command>
			  create-client <id> [grant ...]   grants: call:<group>/<method glob>, register:<group>, discover, admin
			  clients                          list clients and their grants
			  grant <id> <grant> | ungrant <id> <grant>
			  enable <id> | disable <id>       a disabled client's tokens stop working on every router within a second
			  rotate-secret <id>               prints the new secret; the old secret's tokens stop working
			  revoke-token <token or jti>
			  groups | instances <group>       what the registry knows
			  out-of-service <instance-id> on|off
			The admin token comes from SWITCHBOARD_TOKEN, else SWITCHBOARD_ADMIN_CLIENT_ID/SECRET (with SWITCHBOARD_TOKEN_URI),
			else the local platform's admin client; addresses from SWITCHBOARD_AUTH_ADDRESS and SWITCHBOARD_REGISTRY_ADDRESS.
			""";

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final String AUTH = "switchboard.auth.v1.Auth/";

	private static final String REGISTRY = "switchboard.registry.v1.Registry/";

	/** The request of {@code command} with {@code args}; empty for an unknown command (then print the usage). */
	public static Optional<AdminRequest> parse(String command, List<String> args) {
		return Optional.ofNullable(switch (command) {
			case "create-client" -> {
				expect(args.size() >= 1, "create-client <client-id> [grant ...]");
				yield auth("CreateClient", Map.of("clientId", args.getFirst(), "grants", args.subList(1, args.size())));
			}
			case "clients" -> auth("ListClients", Map.of());
			case "grant", "ungrant" -> {
				expect(args.size() == 2, command + " <client-id> <grant>");
				yield auth(command.equals("grant") ? "AddGrant" : "RemoveGrant",
						Map.of("clientId", args.get(0), "grant", args.get(1)));
			}
			case "enable", "disable" -> {
				expect(args.size() == 1, command + " <client-id>");
				yield auth("SetClientEnabled", Map.of("clientId", args.getFirst(), "enabled", command.equals("enable")));
			}
			case "rotate-secret" -> {
				expect(args.size() == 1, "rotate-secret <client-id>");
				yield auth("RotateSecret", Map.of("clientId", args.getFirst()));
			}
			case "revoke-token" -> {
				expect(args.size() == 1, "revoke-token <token or token id>");
				// a JWT has three dot-separated parts; anything else is its id
				yield auth("RevokeToken", Map.of(args.getFirst().split("\\.", -1).length == 3 ? "token" : "tokenId",
						args.getFirst()));
			}
			case "groups" -> registry("ListGroups", Map.of());
			case "instances" -> {
				expect(args.size() == 1, "instances <group>");
				yield registry("GetGroup", Map.of("name", args.getFirst()));
			}
			case "out-of-service" -> {
				expect(args.size() == 2 && (args.get(1).equals("on") || args.get(1).equals("off")),
						"out-of-service <instance-id> on|off");
				yield registry("SetOutOfService",
						Map.of("instanceId", args.get(0), "outOfService", args.get(1).equals("on")));
			}
			default -> null;
		});
	}

	private static AdminRequest auth(String method, Map<String, Object> body) {
		return new AdminRequest(true, AUTH + method, json.writeValueAsString(body));
	}

	private static AdminRequest registry(String method, Map<String, Object> body) {
		return new AdminRequest(false, REGISTRY + method, json.writeValueAsString(body));
	}

	private static void expect(boolean condition, String usage) {
		if (!condition) {
			throw new LauncherException("usage: admin " + usage);
		}
	}

}
