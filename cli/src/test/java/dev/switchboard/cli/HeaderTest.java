package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HeaderTest {

	@Test
	void whenATokenIsGivenWithoutAnAuthorizationHeaderThenItGoesAsBearer() {
		List<Header> headers = List.of(new Header("x-instance", "compute-1"));

		assertThat(Header.withBearer(headers, " t0ken\n")).containsExactly(new Header("x-instance", "compute-1"),
				new Header("authorization", "Bearer t0ken"));
	}

	@Test
	void whenAnAuthorizationHeaderIsGivenThenTheTokenDoesNotReplaceIt() {
		List<Header> headers = List.of(new Header("authorization", "Bearer typed"));

		assertThat(Header.withBearer(headers, "from-environment")).isEqualTo(headers);
	}

	@Test
	void whenNoTokenIsGivenThenTheHeadersStayAsTyped() {
		List<Header> headers = List.of(new Header("x-instance", "compute-1"));

		assertThat(Header.withBearer(headers, null)).isEqualTo(headers);
		assertThat(Header.withBearer(headers, "")).isEqualTo(headers);
	}

}
