package cxg.gateway.transport;

import io.netty.handler.ssl.SslContext;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import io.vertx.grpc.server.GrpcServerOptions;
import io.quarkus.runtime.LaunchMode;
import jakarta.inject.Singleton;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Installs the gateway's own Netty TLS context on the (separate) gRPC server: client
 * certificate REQUIRED in the handshake, trusting only the member CA minus its CRL. Owning
 * the context, rather than configuring {@code quarkus.grpc.server.ssl.*}, is what lets the
 * trust manager re-read the CRL on every handshake. Anything that would silently serve
 * without it (Quarkus' own gRPC TLS settings, the unified HTTP server) stops the start.
 */
@Singleton
final class MutualTlsServerCustomizer implements ServerBuilderCustomizer<VertxServerBuilder> {

    private static final Logger LOG = Logger.getLogger(MutualTlsServerCustomizer.class);

    private final GatewayTls tls;

    MutualTlsServerCustomizer(GatewayTls tls) {
        this.tls = tls;
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        if (!config.isPlainTextEnabled()) {
            throw new IllegalStateException("leave quarkus.grpc.server.ssl.* unset: the gateway configures mutual TLS"
                    + " itself from cxg.pki.dir");
        }
        SslContext context = tls.serverContext();
        builder.nettyBuilder().sslContext(context);
        LOG.infof("gRPC server %s:%d: mutual TLS (%s), client certificate required, trusting %s", config.host(),
                LaunchMode.current() == LaunchMode.TEST ? config.testPort() : config.port(), GatewayTls.providerOf(context),
                tls.trustedCa());
        tls.expiryWarnings(Instant.now()).forEach(LOG::warn);
    }

    @Override
    public void customize(GrpcServerConfiguration config, GrpcServerOptions options) {
        throw new IllegalStateException("the gateway needs quarkus.grpc.server.use-separate-server=true"
                + " (its mutual TLS is installed on the separate gRPC server)");
    }
}
