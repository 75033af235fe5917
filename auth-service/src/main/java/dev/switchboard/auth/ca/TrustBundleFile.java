package dev.switchboard.auth.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import dev.switchboard.client.identity.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the trust bundle in a PEM file (mode 600) for the local processes that trust it: written to a temporary file
 * in the same folder, then moved into place, so readers never see half of it. Thread-safe.
 */
public final class TrustBundleFile implements TrustBundleListener {

	private static final Logger logger = LoggerFactory.getLogger(TrustBundleFile.class);

	private final Path file;

	public TrustBundleFile(Path file) {
		this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
	}

	/** @throws UncheckedIOException when the file cannot be written */
	@Override
	public synchronized void bundleChanged(List<X509Certificate> bundle) {
		try {
			Files.createDirectories(this.file.getParent());
			boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
			Path temporary = posix
					? Files.createTempFile(this.file.getParent(), ".ca-bundle", ".tmp",
							PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
					: Files.createTempFile(this.file.getParent(), ".ca-bundle", ".tmp");
			try {
				Files.writeString(temporary, Pem.toPem(bundle), StandardCharsets.US_ASCII);
				try {
					Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE,
							StandardCopyOption.REPLACE_EXISTING);
				}
				catch (AtomicMoveNotSupportedException ex) {
					Files.move(temporary, this.file, StandardCopyOption.REPLACE_EXISTING);
				}
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the trust bundle to " + this.file, ex);
		}
		logger.info("Wrote the trust bundle ({} CA certificate(s)) to {}", bundle.size(), this.file);
	}

}
