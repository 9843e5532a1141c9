package cxg.agency.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the connector has the certificate of the member it acts as. */
@Readiness
@ApplicationScoped
public class CredentialsReadiness implements HealthCheck {

    private final AgencyGateway gateway;

    CredentialsReadiness(AgencyGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("member-credentials")
                .status(gateway.credentialsPresent())
                .withData("member", gateway.member())
                .build();
    }
}
