package cxg.gateway.transport;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the gateway's TLS material once from {@code cxg.pki.dir}. */
@Singleton
final class TlsConfiguration {

    @Produces
    @Singleton
    GatewayTls gatewayTls(@ConfigProperty(name = "cxg.pki.dir", defaultValue = ".cxg/pki") Path pkiDir,
                          @ConfigProperty(name = "cxg.pki.password", defaultValue = "changeit") String p12Password) {
        return GatewayTls.load(pkiDir, "gateway", p12Password);
    }
}
