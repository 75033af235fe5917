package dev.switchboard.auth.ca;

import java.security.KeyPair;
import java.util.Arrays;

import dev.switchboard.client.grpc.RefusalException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Which certification requests the CA accepts. */
class CertificateRequestTests {

	private static final KeyPair P256 = TestCsrs.ec("secp256r1");

	private static void assertRefused(byte[] csr, String reason) {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> CertificateRequest.parse(csr))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
			.withMessageContaining(reason)
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
	}

	@Test
	void whenRequestIsForAnEcP256KeyAndSignedWithItThenItsKeyIsTaken() {
		CertificateRequest request = CertificateRequest.parse(TestCsrs.csr(P256));

		assertThat(request.publicKey()).isEqualTo(P256.getPublic());
	}

	@Test
	void whenRequestIsForAnEcP384OrRsa2048KeyThenItIsAccepted() {
		KeyPair p384 = TestCsrs.ec("secp384r1");
		KeyPair rsa = TestCsrs.rsa(2048);

		assertThat(CertificateRequest.parse(TestCsrs.csr(p384)).publicKey()).isEqualTo(p384.getPublic());
		assertThat(CertificateRequest.parse(TestCsrs.csr(rsa)).publicKey()).isEqualTo(rsa.getPublic());
	}

	@Test
	void whenRequestIsEmptyOrLargerThan4KiBThenRefused() {
		byte[] valid = TestCsrs.csr(P256);
		byte[] oversized = Arrays.copyOf(valid, CertificateRequest.MAX_SIZE + 1);

		assertRefused(new byte[0], "csr is empty");
		assertRefused(oversized, "larger than 4096 bytes");
	}

	@Test
	void whenRequestIsNotPkcs10ThenRefused() {
		byte[] valid = TestCsrs.csr(P256);

		assertRefused("not a request".getBytes(), "not a DER PKCS#10 certification request");
		assertRefused(Arrays.copyOf(valid, valid.length - 10), "not a DER PKCS#10 certification request");
	}

	@Test
	void whenRequestIsSignedWithAnotherKeyThenRefusedForNoProofOfPossession() {
		KeyPair other = TestCsrs.ec("secp256r1");

		assertRefused(TestCsrs.csr(P256.getPublic(), other.getPrivate()), "signature does not verify");
	}

	@Test
	void whenRequestSignatureIsAlteredThenRefused() {
		byte[] csr = TestCsrs.csr(P256);
		// the last byte is inside the signature's s value: still DER, no longer a valid signature
		csr[csr.length - 1] ^= 0x01;

		assertRefused(csr, "signature does not verify");
	}

	@Test
	void whenKeyIsAWeakRsaKeyOrOnAnotherCurveThenRefused() {
		assertRefused(TestCsrs.csr(TestCsrs.rsa(1024)), "RSA key has 1024 bits");
		assertRefused(TestCsrs.csr(TestCsrs.ec("secp521r1")), "unsupported curve");
	}

}
