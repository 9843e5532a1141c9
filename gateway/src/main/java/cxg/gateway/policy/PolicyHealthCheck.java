package cxg.gateway.policy;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@code policy}. It stays UP after a rejected reload, because the gateway
 * keeps serving on the last good set; the rejection shows as {@code lastError} (every
 * {@code file:line: message}) until a good set loads.
 */
@Readiness
@ApplicationScoped
public class PolicyHealthCheck implements HealthCheck {
    private final FilePolicyRepository repository;

    public PolicyHealthCheck(FilePolicyRepository repository) {
        this.repository = repository;
    }

    @Override
    public HealthCheckResponse call() {
        PolicyStore.Status status = repository.status();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("policy").up()
                .withData("directory", repository.directory().toString())
                .withData("loadedAt", status.loadedAt().toString())
                .withData("agreements", repository.current().agreements().size())
                .withData("reload", status.lastError().isPresent() ? "rejected" : "ok");
        status.lastError().ifPresent(e -> b.withData("lastError", e));
        status.failedAt().ifPresent(t -> b.withData("lastErrorAt", t.toString()));
        return b.build();
    }
}
