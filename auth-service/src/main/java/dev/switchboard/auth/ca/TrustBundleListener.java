package dev.switchboard.auth.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Told when this replica's trust bundle changed: first load, a CA made here or by another replica, a CA expired.
 * Called on the thread that reloaded the CAs (startup or the maintenance scheduler); must not block for long. When it
 * throws, the same bundle is offered again at the next reload.
 */
@FunctionalInterface
public interface TrustBundleListener {

	/**
	 * @param bundle every unexpired CA certificate, newest (the signing one) first
	 */
	void bundleChanged(List<X509Certificate> bundle);

}
