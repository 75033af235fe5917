package dev.switchboard.auth.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;

import dev.switchboard.auth.client.CreatedClient;

/**
 * Writes bootstrap credentials as an env file readable only by its owner (mode 600):
 *
 * <pre>
 * SWITCHBOARD_ADMIN_CLIENT_ID=admin
 * SWITCHBOARD_ADMIN_CLIENT_SECRET=...
 * SWITCHBOARD_DEMO_CLIENT_ID=demo
 * SWITCHBOARD_DEMO_CLIENT_SECRET=...
 * SWITCHBOARD_ROUTER_CLIENT_ID=router
 * ...
 * </pre>
 *
 * Clients whose secret was chosen beforehand (the group clients) are listed by id only: their secret is already in
 * their owner's file and is not copied.
 * The file is written to a temporary file in the same folder, then moved into place, so readers never see half of it.
 */
final class CredentialsFile {

	private CredentialsFile() {
	}

	/**
	 * @param clients clients listed with their generated secrets
	 * @param idsOnly ids of clients listed without a secret
	 */
	static void write(Path file, List<CreatedClient> clients, List<String> idsOnly) throws IOException {
		Path absolute = file.toAbsolutePath();
		Files.createDirectories(absolute.getParent());
		StringBuilder text = new StringBuilder();
		for (CreatedClient client : clients) {
			String prefix = prefix(client.client().clientId());
			text.append(prefix).append("_CLIENT_ID=").append(client.client().clientId()).append('\n');
			text.append(prefix).append("_CLIENT_SECRET=").append(client.secret()).append('\n');
		}
		for (String clientId : idsOnly) {
			text.append(prefix(clientId)).append("_CLIENT_ID=").append(clientId).append('\n');
		}
		boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
		Path temporary = posix
				? Files.createTempFile(absolute.getParent(), ".credentials", ".tmp",
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
				: Files.createTempFile(absolute.getParent(), ".credentials", ".tmp");
		try {
			Files.writeString(temporary, text, StandardCharsets.UTF_8);
			try {
				Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	private static String prefix(String clientId) {
		return "SWITCHBOARD_" + clientId.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
	}

}
