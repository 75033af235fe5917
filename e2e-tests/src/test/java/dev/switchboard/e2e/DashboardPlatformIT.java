package dev.switchboard.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PlatformSecrets;
import dev.switchboard.bench.platform.WiredPlatform;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin dashboard as an operator uses it: auth, registry, router, two compute replicas and the dashboard as real
 * jars on 127.0.0.1 with every check enforced, a network replica of the Python sample (no actuator) where a python3
 * with grpcio is found, started once, and Debian's headless Chromium (driven by its chromedriver through Selenium)
 * logging in, reading the platform view and Spring Boot Admin, and switching a replica OUT_OF_SERVICE, which the
 * router must then honour. The tests build on each other, so they run in order.
 * <p>
 * Skipped when {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is missing, unless
 * {@code SWITCHBOARD_REQUIRE_BROWSER=1}, which makes that a failure. The screenshot goes to
 * {@code target/screenshots/dashboard.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardPlatformIT {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration START = Duration.ofSeconds(120);

	private static final Duration PAGE = Duration.ofSeconds(30);

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private static final List<PlatformProcess> processes = new ArrayList<>();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	static Path state;

	private static String dashboard;

	private static ManagedChannel router;

	private static String demoToken;

	private static WebDriver browser;

	private static PlatformProcess dashboardProcess;

	@BeforeAll
	static void startPlatformAndBrowser() throws Exception {
		assumeBrowserInstalled();
		int routerGrpc = PlatformProcess.freePort();
		// one client per group, as the launcher makes them; every hop is mutual TLS with certificates from auth's CA
		WiredPlatform platform = new WiredPlatform(state, 1);
		PlatformSecrets secrets = platform.secrets();
		String networkSecret = "network-" + UUID.randomUUID();
		PlatformProcess auth = start(platform.startAuth("dashboard-it-auth", PlatformProcess.QUICK_START_JVM,
				List.of(), Map.of("SWITCHBOARD_AUTH_BOOTSTRAP_GROUPSECRETS_NETWORK", networkSecret)));
		secrets.awaitTrustBundle(auth, START);
		start(platform.startRegistry("dashboard-it-registry", 1, PlatformProcess.QUICK_START_JVM, List.of(),
				Map.of()));
		// the registry and auth first, as the launcher does: six JVMs starting at once on two cores starve each other
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		for (int i = 1; i <= 2; i++) {
			start(platform.start("dashboard-it-compute-" + i, PlatformService.COMPUTE, "compute-" + i,
					PlatformProcess.QUICK_START_JVM, List.of("--spring.grpc.server.port=0")));
		}
		start(platform.start("dashboard-it-router", PlatformService.ROUTER, "router-1",
				PlatformProcess.QUICK_START_JVM, List.of("--spring.grpc.server.port=" + routerGrpc)));
		// the dashboard signs in to the platform as the dashboard group's client (discover, admin)
		dashboardProcess = start(platform.start("dashboard-it-dashboard", PlatformService.DASHBOARD, "dashboard",
				PlatformProcess.QUICK_START_JVM, List.of()));
		// a component without an actuator, which the dashboard must show like any other
		Optional<String> python = PythonComponents.find();
		if (python.isPresent()) {
			start(PythonComponents.startNetwork(python.get(), "dashboard-it-network-1",
					PythonComponents.networkEnvironment("network-1", networkSecret, platform.wiring(), routerGrpc)));
		}
		dashboard = "http://127.0.0.1:" + dashboardProcess.httpPort();
		for (PlatformProcess process : processes) {
			if (!process.name().startsWith("dashboard-it-network")) { // no actuator: the platform view waits for it
				process.awaitHealthy(START);
			}
		}
		Map<String, String> credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		demoToken = PlatformClients.token(URI.create("http://127.0.0.1:" + auth.httpPort() + "/oauth2/token"),
				credentials.get("SWITCHBOARD_DEMO_CLIENT_ID"), credentials.get("SWITCHBOARD_DEMO_CLIENT_SECRET"));
		router = ManagedChannelBuilder.forAddress("127.0.0.1", routerGrpc).usePlaintext().build();
		// the router routes once it has seen both replicas UP
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(servedBy(40)).containsExactlyInAnyOrder("compute-1", "compute-2"));
		browser = headlessChromium();
	}

	@AfterAll
	static void stopPlatformAndBrowser() throws Exception {
		if (browser != null) {
			browser.quit();
		}
		if (router != null) {
			router.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		processes.forEach(PlatformProcess::close);
	}

	@Test
	@Order(1)
	void theAdminLogsInAndSeesEveryGroupAndReplicaOnThePlatformView() {
		browser.get(dashboard + "/platform");
		// not logged in yet: Spring Boot Admin's login page, then back to the page asked for
		WebElement user = waitFor().until((driver) -> driver.findElement(By.name("username")));
		assertThat(browser.getCurrentUrl()).contains("/login");
		user.sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys(PlatformProcess.ADMIN_PASSWORD, Keys.ENTER);
		waitFor().until((driver) -> driver.getCurrentUrl().contains("/platform"));
		waitFor().until((driver) -> upReplicas("compute").size() == 2);
		assertThat(read(() -> upReplicas("compute"))).containsExactly("compute-1", "compute-2");
		waitFor().until((driver) -> driver.findElements(By.cssSelector("section.group"))
			.stream()
			.map((group) -> group.getDomAttribute("data-group"))
			.toList()
			.containsAll(List.of("auth", "compute", "router")));
		waitFor().until((driver) -> upReplicas("router").equals(List.of("router-1")));
		List<String> compute1 = read(() -> {
			WebElement row = row("compute-1");
			return List.of(row.findElement(By.cssSelector(".address")).getText(),
					row.findElement(By.cssSelector(".lease-age")).getText(),
					row.findElement(By.cssSelector("a.sba-logfile")).getDomProperty("href"));
		});
		assertThat(compute1.get(0)).startsWith("127.0.0.1:");
		assertThat(compute1.get(1)).matches("\\d+(\\.\\d)? m?s");
		assertThat(compute1.get(2)).isEqualTo(dashboard + "/instances/compute-1/logfile");
	}

	@Test
	@Order(2)
	void aGroupWithoutAnActuatorIsShownLikeAnyOtherWithoutLinksToViewsItHasNot() {
		PythonComponents.interpreter(); // skipped, saying why, without a python3 that can run the network sample
		browser.get(dashboard + "/platform");
		waitFor().until((driver) -> upReplicas("network").equals(List.of("network-1")));
		List<String> network1 = read(() -> {
			WebElement row = row("network-1");
			return List.of(row.findElement(By.cssSelector(".instance")).getText(),
					row.findElement(By.cssSelector(".address")).getText(),
					row.findElement(By.cssSelector(".views")).getText(),
					String.valueOf(row.findElements(By.cssSelector("a")).size()),
					String.valueOf(row.findElements(By.cssSelector("button.oos")).size()));
		});
		assertThat(network1.get(0)).isEqualTo("network-1");
		assertThat(network1.get(1)).startsWith("127.0.0.1:");
		assertThat(network1.get(2)).isEqualTo("no actuator");
		// no link to a Spring Boot Admin page that does not exist; the OUT_OF_SERVICE switch is there as for any
		assertThat(network1.subList(3, 5)).containsExactly("0", "1");
		assertThat(browser.findElement(By.cssSelector("section.group[data-group='network'] .services")).getText())
			.isEqualTo("switchboard.sample.network.v1.Network");
		assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
		// Spring Boot Admin was not asked to monitor it, so it logged no error about it
		assertThat(dashboardProcess.log()).doesNotContain("Couldn't register instance");
	}

	@Test
	@Order(3)
	void springBootAdminListsTheGroupsFromDiscoveryAndReadsTheReplicasActuators() throws Exception {
		browser.get(dashboard + "/applications");
		waitFor().until((driver) -> {
			String page = driver.findElement(By.tagName("body")).getText().toLowerCase();
			return page.contains("compute") && page.contains("router") && page.contains("auth");
		});
		screenshot("dashboard-applications.png");
		// the platform view is one of Spring Boot Admin's own views: one application, one login
		waitFor().until((driver) -> {
			driver.findElement(By.linkText("Platform")).click();
			return true;
		});
		WebElement frame = waitFor().until((driver) -> driver.findElement(By.tagName("iframe")));
		browser.switchTo().frame(frame);
		try {
			waitFor().until((driver) -> upReplicas("compute").size() == 2);
		}
		finally {
			browser.switchTo().defaultContent();
		}
		screenshot("dashboard-platform-in-admin.png");
		// Spring Boot Admin reads each replica's actuator itself, with the admin user: so it knows them UP
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			HttpResponse<String> instance = http.send(HttpRequest.newBuilder(URI.create(dashboard + "/instances/compute-2"))
				.header("Authorization", basic("admin", PlatformProcess.ADMIN_PASSWORD))
				.header("Accept", "application/json")
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(instance.statusCode()).isEqualTo(200);
			assertThat(instance.body()).contains("\"status\":\"UP\"").contains("/actuator/health");
		});
	}

	@Test
	@Order(4)
	void aReplicaSwitchedOutOfServiceOnTheDashboardGetsNoMoreCallsFromTheRouter() throws Exception {
		browser.get(dashboard + "/platform");
		waitFor().until((driver) -> upReplicas("compute").size() == 2);
		click("compute-1", "button.oos[data-action='set']");
		waitFor().until((driver) -> "OUT_OF_SERVICE".equals(row("compute-1").getDomAttribute("data-status")));
		waitFor().until((driver) -> "Clear OUT_OF_SERVICE"
			.equals(row("compute-1").findElement(By.cssSelector("button.oos")).getText()));
		// the router learns it from its Watch stream: from then on, every call goes to compute-2
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(servedBy(20)).containsOnly("compute-2"));
		assertThat(servedBy(40)).containsOnly("compute-2");
		screenshot("dashboard.png");

		click("compute-1", "button.oos[data-action='clear']");
		waitFor().until((driver) -> "UP".equals(row("compute-1").getDomAttribute("data-status")));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(servedBy(40)).containsExactlyInAnyOrder("compute-1", "compute-2"));
	}

	private static void assumeBrowserInstalled() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		String why = CHROMIUM + " or " + CHROMEDRIVER + " is missing (Debian: apt-get install chromium chromium-driver)";
		if (!installed && "1".equals(System.getenv("SWITCHBOARD_REQUIRE_BROWSER"))) {
			fail(why + ", and SWITCHBOARD_REQUIRE_BROWSER=1 requires the dashboard's browser test");
		}
		assumeTrue(installed, () -> "Dashboard browser test skipped: " + why);
	}

	/** Debian's Chromium and its own chromedriver, given by path, so Selenium Manager never looks for a browser. */
	private static WebDriver headlessChromium() throws IOException {
		Path logs = Files.createDirectories(Path.of("target", "platform-logs"));
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1440,1000",
				"--user-data-dir=" + Files.createTempDirectory(state, "chromium-profile"));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.withLogFile(logs.resolve("dashboard-it-chromedriver.log").toFile())
			.build();
		return new ChromeDriver(service, options);
	}

	private static FluentWait<WebDriver> waitFor() {
		// the platform view redraws itself every two seconds; a missing element is waited for by default
		return new WebDriverWait(browser, PAGE).ignoring(StaleElementReferenceException.class);
	}

	/**
	 * Clicks the element {@code selector} picks in a replica's row; a redraw between finding and clicking it makes it
	 * stale, and the click is tried again on the new row (a stale element is never clicked).
	 */
	private static void click(String instanceId, String selector) {
		waitFor().until((driver) -> {
			row(instanceId).findElement(By.cssSelector(selector)).click();
			return true;
		});
	}

	/**
	 * Reads the platform view, again when a redraw made an element stale in the middle, so that what is read comes
	 * from one drawing.
	 */
	private static <T> T read(Supplier<T> reads) {
		return waitFor().until((driver) -> reads.get());
	}

	/** The platform view's row of one replica. */
	private static WebElement row(String instanceId) {
		return browser.findElement(By.cssSelector("tr[data-instance-id='" + instanceId + "']"));
	}

	/** The instance ids the platform view shows UP in {@code group}, in its order. */
	private static List<String> upReplicas(String group) {
		return browser.findElements(By.cssSelector("section.group[data-group='" + group + "'] tr[data-status='UP']"))
			.stream()
			.map((row) -> row.getDomAttribute("data-instance-id"))
			.toList();
	}

	/** The replicas that served {@code calls} calls through the router, with the demo client's token. */
	private static Set<String> servedBy(int calls) {
		ComputeGrpc.ComputeBlockingStub compute = ComputeGrpc.newBlockingStub(router)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(demoToken)));
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < calls; i++) {
			servedBy.add(compute.withDeadlineAfter(5, TimeUnit.SECONDS)
				.createServer(CreateServerRequest.newBuilder()
					.setName("dashboard-probe")
					.setFlavor("m1.small")
					.setImage("debian-12")
					.build())
				.getServedBy());
		}
		return servedBy;
	}

	private static void screenshot(String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		Path taken = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(taken, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	private static PlatformProcess start(PlatformProcess process) {
		processes.add(process);
		return process;
	}

}
