package dev.switchboard.dashboard.platform;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the platform view, {@code /platform}: one static page whose script reads {@code /platform/api}. Spring Boot
 * Admin shows it in its navigation as an external view, in an iframe.
 */
@Controller
public final class PlatformPageController {

	private static final Resource PAGE = new ClassPathResource("dashboard/platform/index.html");

	@GetMapping(path = "/platform", produces = MediaType.TEXT_HTML_VALUE)
	ResponseEntity<Resource> page() {
		return ResponseEntity.ok().cacheControl(CacheControl.noCache()).contentType(MediaType.TEXT_HTML).body(PAGE);
	}

}
