package cxg.gateway.submission;

import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.store.SubmissionStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Wires the store and the submission pipeline. The store opens at start-up, on the main thread:
 * the query path reads stored ratings from fan-out threads, where configuration cannot be looked
 * up, and a store that cannot open should stop the gateway rather than fail requests later. Config:
 * {@code cxg.store.url} (default H2 in {@code cxg.data.dir}, which the launcher sets, else
 * {@code $CXG_HOME/data}, else {@code .cxg/data}),
 * {@code cxg.store.user}, {@code cxg.store.password}, {@code cxg.store.h2-sync}.
 */
@Singleton
final class SubmissionConfiguration {

    @Produces
    @Singleton
    SubmissionStore store(@ConfigProperty(name = "cxg.store.url") Optional<String> url,
                          @ConfigProperty(name = "cxg.store.user", defaultValue = "sa") String user,
                          @ConfigProperty(name = "cxg.store.password") Optional<String> password,
                          @ConfigProperty(name = "cxg.store.h2-sync", defaultValue = "false") boolean h2Sync,
                          @ConfigProperty(name = "cxg.data.dir") Optional<String> dataDir,
                          @ConfigProperty(name = "cxg.home") Optional<String> home) {
        String jdbc = url.filter(u -> !u.isBlank()).orElseGet(() -> SubmissionStore.h2Url(dataDir.map(Path::of)
                .orElseGet(() -> Path.of(home.or(() -> Optional.ofNullable(System.getenv("CXG_HOME")))
                        .filter(h -> !h.isBlank()).orElse(".cxg")).resolve("data"))));
        return SubmissionStore.open(jdbc, user, password.orElse(""), h2Sync);
    }

    /** Injecting the (non-proxied) store is what opens it. */
    void openAtStart(@Observes StartupEvent event, SubmissionStore store) {
    }

    void close(@Disposes SubmissionStore store) {
        store.close();
    }

    @Produces
    @Singleton
    Submissions submissions(PolicyRepository policies, SubmissionStore store,
                            @ConfigProperty(name = "cxg.pki.dir", defaultValue = ".cxg/pki") String pkiDir) {
        return new Submissions(policies, new SigningKeys(Path.of(pkiDir)), store, Clock.systemUTC());
    }

    @Produces
    @Singleton
    AuditedSubmissions auditedSubmissions(AuditRecorder recorder) {
        return new AuditedSubmissions(recorder);
    }
}
