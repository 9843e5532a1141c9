package cxg.gateway.startup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/** Fails start-up when the gRPC server could not start, instead of serving health checks without it. */
@ApplicationScoped
final class GrpcServerStarted {

    void check(@Observes StartupEvent event) {
        GrpcStartFailures.first().ifPresent(failure -> {
            throw new IllegalStateException("the gRPC server did not start", failure);
        });
    }
}
