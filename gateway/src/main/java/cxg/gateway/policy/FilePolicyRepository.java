package cxg.gateway.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;

/**
 * The gateway's policy repository: loads {@code cxg.policy.dir} at start-up (a broken set
 * stops the gateway from starting, listing every error) and then polls it every
 * {@code cxg.policy.reload-interval}. Polling rather than a WatchService because it also
 * sees edits through symlinks, bind mounts and editors that replace files.
 */
@Startup
@ApplicationScoped
public class FilePolicyRepository implements PolicyRepository {
    private static final Logger LOG = Logger.getLogger(FilePolicyRepository.class);

    private final PolicyStore store;
    private final ScheduledExecutorService poller;

    public FilePolicyRepository(@ConfigProperty(name = "cxg.policy.dir", defaultValue = "policies") String dir,
                                @ConfigProperty(name = "cxg.policy.reload-interval", defaultValue = "1s") Duration interval) {
        Path path = resolve(dir);
        this.store = PolicyStore.open(path, new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create()), Clock.systemUTC());
        LOG.infof("policy set loaded from %s (%d agreements)", path, store.current().agreements().size());
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cxg-policy-reload");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, interval.toMillis());
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * A relative directory is taken from the working directory, or from its parent when only
     * that has it: tests and dev mode run inside the module directory {@code gateway/}.
     */
    static Path resolve(String dir) {
        Path path = Path.of(dir);
        if (!path.isAbsolute() && !Files.isDirectory(path) && Files.isDirectory(Path.of("..").resolve(path))) {
            path = Path.of("..").resolve(path);
        }
        return path.toAbsolutePath().normalize();
    }

    @Override
    public PolicySet current() {
        return store.current();
    }

    public PolicyStore.Status status() {
        return store.status();
    }

    public Path directory() {
        return store.directory();
    }

    private void poll() {
        try {
            String before = store.status().fingerprint();
            List<PolicyError> errors = store.reloadIfChanged();
            if (!errors.isEmpty()) {
                LOG.errorf("policy reload rejected, still serving the last good set:%n%s",
                        errors.stream().map(PolicyError::toString).collect(Collectors.joining("\n")));
            } else if (!before.equals(store.status().fingerprint())) {
                LOG.infof("policy set reloaded from %s (%d agreements)", store.directory(), store.current().agreements().size());
            }
        } catch (RuntimeException e) {
            LOG.error("policy reload failed, still serving the last good set", e);
        }
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
    }
}
