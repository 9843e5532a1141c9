package cxg.scorer.config;

import cxg.scorer.identity.MemberIdentity;
import cxg.scorer.platform.PlatformApiConfig;
import cxg.scorer.platform.PlatformClient;
import cxg.scorer.transport.CallerCheck;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds the connector's services from configuration (names documented in
 * application.properties and the module README). The services themselves know no Quarkus.
 */
@ApplicationScoped
public class ConnectorBeans {

    @Produces
    @Singleton
    MemberIdentity memberIdentity(@ConfigProperty(name = "cxg.member") String member,
                                  @ConfigProperty(name = "cxg.pki.dir", defaultValue = ".cxg/pki") Path pkiDir) {
        return MemberIdentity.of(member, pkiDir);
    }

    @Produces
    @Singleton
    PlatformClient platformClient(MemberIdentity identity, Vertx vertx,
                                  @ConfigProperty(name = "cxg.platform.base-url") String baseUrl,
                                  @ConfigProperty(name = "cxg.platform.timeout", defaultValue = "1500ms") Duration timeout,
                                  @ConfigProperty(name = "cxg.platform.scale-id") Optional<String> scaleId) {
        URI uri;
        try {
            uri = URI.create(baseUrl.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cxg.platform.base-url: not a URL");
        }
        PlatformApiConfig config = new PlatformApiConfig(uri, timeout, identity.memberId(),
                scaleId.filter(s -> !s.isBlank()).orElse(identity.memberId()));
        return new PlatformClient(config, vertx);
    }

    @Produces
    @Singleton
    CallerCheck callerCheck(@ConfigProperty(name = "cxg.scorer.allowed-client-subject",
            defaultValue = "CN=gateway,OU=gateway,O=cxg-demo") String allowedSubject) {
        return new CallerCheck(allowedSubject);
    }
}
