package cxg.gateway.fanout;

import cxg.gateway.transport.GatewayTls;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the fan-out from configuration: {@code cxg.gateway.query-deadline}, {@code cxg.gateway.scorer-endpoints.*}. */
@Singleton
final class FanOutConfiguration {

    static final String ENDPOINT_PREFIX = "cxg.gateway.scorer-endpoints.";

    @Produces
    @Singleton
    @DefaultBean
    ScorerChannels scorerChannels(GatewayTls tls) {
        return new TlsScorerChannels(tls);
    }

    void close(@Disposes ScorerChannels channels) throws Exception {
        if (channels instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Produces
    @Singleton
    ScoreFanOut fanOut(ScorerChannels channels,
                       @ConfigProperty(name = "cxg.gateway.query-deadline", defaultValue = "2s") Duration deadline) {
        return new ScoreFanOut(channels, deadline);
    }

    @Produces
    @Singleton
    ScorerEndpoints endpoints(Config config) {
        Map<String, String> overrides = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(ENDPOINT_PREFIX)) {
                config.getOptionalValue(name, String.class)
                        .ifPresent(v -> overrides.put(name.substring(ENDPOINT_PREFIX.length()), v));
            }
        }
        return new ScorerEndpoints(overrides);
    }
}
