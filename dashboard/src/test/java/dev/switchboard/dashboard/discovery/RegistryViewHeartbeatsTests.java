package dev.switchboard.dashboard.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.switchboard.client.registry.RegistryView;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.discovery.event.HeartbeatEvent;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryViewHeartbeatsTests {

	private final List<Object> published = new ArrayList<>();

	private final List<Runnable> queued = new ArrayList<>();

	private final RegistryViewHeartbeats heartbeats = new RegistryViewHeartbeats(this.published::add, this.queued::add);

	@Test
	void whenAViewArrivesThenAHeartbeatIsPublishedOnTheExecutorNotTheCallingThread() {
		this.heartbeats.onView(new RegistryView(1, Map.of()));
		assertThat(this.published).isEmpty();
		runQueued();
		assertThat(this.published).singleElement().isInstanceOf(HeartbeatEvent.class);
	}

	@Test
	void whenViewsArriveInABurstThenOneHeartbeatCarriesTheLatest() {
		this.heartbeats.onView(new RegistryView(1, Map.of()));
		this.heartbeats.onView(new RegistryView(2, Map.of()));
		this.heartbeats.onView(new RegistryView(3, Map.of()));
		assertThat(this.queued).hasSize(1);
		runQueued();
		assertThat(this.published).singleElement()
			.satisfies((event) -> assertThat(((HeartbeatEvent) event).getValue()).isEqualTo(3L));
	}

	@Test
	void whenRevisionsRestartOnANewStreamThenTheHeartbeatStillChanges() {
		this.heartbeats.onView(new RegistryView(5, Map.of()));
		runQueued();
		this.heartbeats.onView(new RegistryView(1, Map.of()));
		runQueued();
		assertThat(this.published).extracting((event) -> ((HeartbeatEvent) event).getValue())
			.doesNotHaveDuplicates()
			.hasSize(2);
	}

	@Test
	void whenStoppedThenViewsPublishNothing() {
		this.heartbeats.stop();
		this.heartbeats.onView(new RegistryView(1, Map.of()));
		assertThat(this.queued).isEmpty();
		assertThat(this.published).isEmpty();
	}

	private void runQueued() {
		List<Runnable> tasks = new ArrayList<>(this.queued);
		this.queued.clear();
		tasks.forEach(Runnable::run);
	}

}
