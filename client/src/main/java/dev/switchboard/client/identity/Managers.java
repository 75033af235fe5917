package dev.switchboard.client.identity;

import java.security.KeyStore;
import java.security.Provider;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;

/**
 * Factories that hand out one given manager, for APIs that take factories (Spring's SSL bundles): the manager itself
 * follows renewals, so the factory never needs to be initialized again.
 */
final class Managers {

	private static final Provider PROVIDER = new Provider("Switchboard", "1.0", "platform identity managers") {

		private static final long serialVersionUID = 1L;

	};

	private Managers() {
	}

	static KeyManagerFactory keyManagerFactory(KeyManager manager) {
		return new KeyManagerFactory(new KeyManagerFactorySpi() {

			@Override
			protected void engineInit(KeyStore store, char[] password) {
			}

			@Override
			protected void engineInit(ManagerFactoryParameters parameters) {
			}

			@Override
			protected KeyManager[] engineGetKeyManagers() {
				return new KeyManager[] { manager };
			}

		}, PROVIDER, "SwitchboardIdentity") {
		};
	}

	static TrustManagerFactory trustManagerFactory(TrustManager manager) {
		return new TrustManagerFactory(new TrustManagerFactorySpi() {

			@Override
			protected void engineInit(KeyStore store) {
			}

			@Override
			protected void engineInit(ManagerFactoryParameters parameters) {
			}

			@Override
			protected TrustManager[] engineGetTrustManagers() {
				return new TrustManager[] { manager };
			}

		}, PROVIDER, "SwitchboardIdentity") {
		};
	}

}
