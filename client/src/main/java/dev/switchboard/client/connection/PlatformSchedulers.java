package dev.switchboard.client.connection;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The task schedulers platform processes run their periodic work on (heartbeats, lease sweeps, renewals, reconnects),
 * made one way. Each is a daemon on threads named by its prefix, and keeps accepting tasks until the context destroys
 * it, not only until the context starts closing: the drain that runs on the closed event (heartbeats reporting
 * {@code OUT_OF_SERVICE}, renewals heard while the gRPC server drains) still needs it. Declare each bean with
 * {@code @Bean(defaultCandidate = false)} and inject it by qualifier, so Boot's own task executor and scheduler do
 * not back off from it and an application's {@code @Scheduled} work does not land on it.
 */
public final class PlatformSchedulers {

	private PlatformSchedulers() {
	}

	/** A one-thread daemon scheduler whose thread names start with {@code threadNamePrefix}. */
	public static ThreadPoolTaskScheduler daemon(String threadNamePrefix) {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix(threadNamePrefix);
		scheduler.setDaemon(true);
		scheduler.setAcceptTasksAfterContextClose(true);
		return scheduler;
	}

}
