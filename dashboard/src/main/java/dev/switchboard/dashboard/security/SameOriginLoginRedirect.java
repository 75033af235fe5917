package dev.switchboard.dashboard.security;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;

/**
 * After a login, goes back to the page Spring Boot Admin's login form names in {@code redirectTo} (its UI sends the
 * page's full URL), or to the saved request, but only within the dashboard: a target on another origin would make
 * the login page an open redirect ({@code /login?redirectTo=https://elsewhere}), so it is replaced by the default.
 */
final class SameOriginLoginRedirect extends SavedRequestAwareAuthenticationSuccessHandler {

	SameOriginLoginRedirect(String defaultTarget) {
		setTargetUrlParameter("redirectTo");
		setDefaultTargetUrl(defaultTarget);
	}

	@Override
	protected String determineTargetUrl(HttpServletRequest request, HttpServletResponse response) {
		String target = super.determineTargetUrl(request, response);
		return isSameOrigin(request, target) ? target : getDefaultTargetUrl();
	}

	/** A path on this server ({@code /x}, not {@code //host}), or an absolute URL with this scheme, host and port. */
	static boolean isSameOrigin(HttpServletRequest request, String target) {
		if (target.startsWith("/")) {
			return !target.startsWith("//") && !target.startsWith("/\\");
		}
		try {
			URI uri = new URI(target);
			int port = (uri.getPort() != -1) ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
			return request.getScheme().equalsIgnoreCase(uri.getScheme())
					&& request.getServerName().equalsIgnoreCase(uri.getHost()) && request.getServerPort() == port;
		}
		catch (java.net.URISyntaxException ex) {
			return false; // not a URL at all: nowhere to go but the default
		}
	}

}
