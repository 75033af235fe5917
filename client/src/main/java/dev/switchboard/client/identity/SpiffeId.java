package dev.switchboard.client.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity a platform certificate names, as its one URI subject alternative name:
 * {@code spiffe://<trust-domain>/group/<group>/instance/<instance>}. Immutable.
 *
 * @param trustDomain the platform's trust domain, e.g. {@code switchboard.local}
 * @param group the service group the holder belongs to, e.g. {@code router} or {@code compute}
 * @param instance the holder's instance id
 */
public record SpiffeId(String trustDomain, String group, String instance) {

	private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,253}[a-z0-9])?");

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

	/** The URI subject alternative name type (RFC 5280 uniformResourceIdentifier). */
	private static final int URI_NAME = 6;

	public SpiffeId {
		requireMatch(TRUST_DOMAIN, trustDomain, "trust domain");
		requireMatch(NAME, group, "group");
		requireMatch(NAME, instance, "instance");
	}

	/** Returns the identity of {@code instance} in {@code group} of {@code trustDomain}. */
	public static SpiffeId of(String trustDomain, String group, String instance) {
		return new SpiffeId(trustDomain, group, instance);
	}

	/**
	 * Parses {@code spiffe://<trust-domain>/group/<group>/instance/<instance>}.
	 * @throws IllegalArgumentException if {@code uri} is not such an identity
	 */
	public static SpiffeId parse(String uri) {
		Objects.requireNonNull(uri, "uri");
		if (!uri.startsWith("spiffe://")) {
			throw new IllegalArgumentException("not a spiffe:// identity: " + abbreviate(uri));
		}
		String rest = uri.substring("spiffe://".length());
		String[] parts = rest.split("/", -1);
		if (parts.length != 5 || !parts[1].equals("group") || !parts[3].equals("instance")) {
			throw new IllegalArgumentException(
					"not spiffe://<trust-domain>/group/<group>/instance/<instance>: " + abbreviate(uri));
		}
		return new SpiffeId(parts[0], parts[2], parts[4]);
	}

	/**
	 * Returns the identity a certificate names in its URI subject alternative names, or {@code null} when it names
	 * none or more than one.
	 */
	public static SpiffeId of(X509Certificate certificate) {
		Objects.requireNonNull(certificate, "certificate");
		Collection<List<?>> names;
		try {
			names = certificate.getSubjectAlternativeNames();
		}
		catch (CertificateParsingException ex) {
			return null;
		}
		if (names == null) {
			return null;
		}
		SpiffeId found = null;
		for (List<?> name : names) {
			if (name.size() == 2 && Integer.valueOf(URI_NAME).equals(name.get(0)) && name.get(1) instanceof String uri) {
				if (found != null) {
					return null;
				}
				try {
					found = parse(uri);
				}
				catch (IllegalArgumentException ex) {
					return null;
				}
			}
		}
		return found;
	}

	@Override
	public String toString() {
		return "spiffe://" + this.trustDomain + "/group/" + this.group + "/instance/" + this.instance;
	}

	private static void requireMatch(Pattern pattern, String value, String what) {
		Objects.requireNonNull(value, what);
		if (!pattern.matcher(value).matches()) {
			throw new IllegalArgumentException("invalid " + what + " '" + abbreviate(value) + "'");
		}
	}

	private static String abbreviate(String value) {
		return (value.length() <= 64) ? value : value.substring(0, 64) + "...";
	}

}
