package cxg.gateway.store;

import cxg.gateway.policy.PolicyRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the {@link RetentionJob} in the gateway: first a minute after start-up, then every
 * {@code cxg.store.retention-interval} (default 1h; 0 turns the schedule off, e.g. for tests).
 * A failed run is logged and retried at the next interval; it never stops the gateway.
 */
@Singleton
final class RetentionSchedule {

    private static final Logger LOG = Logger.getLogger(RetentionSchedule.class);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cxg-retention");
        t.setDaemon(true);
        return t;
    });

    void start(@Observes StartupEvent event, SubmissionStore store, PolicyRepository policies,
               @ConfigProperty(name = "cxg.store.retention-interval", defaultValue = "1h") Duration interval,
               @ConfigProperty(name = "cxg.store.retention-first-delay", defaultValue = "1m") Duration firstDelay) {
        if (interval.isZero() || interval.isNegative()) {
            LOG.info("retention: schedule off (cxg.store.retention-interval=0); run ./cxg store purge on demand");
            return;
        }
        RetentionJob job = new RetentionJob(store, policies, Clock.systemUTC());
        executor.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.error("retention: run failed, retrying at the next interval", e);
            }
        }, firstDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }
}
