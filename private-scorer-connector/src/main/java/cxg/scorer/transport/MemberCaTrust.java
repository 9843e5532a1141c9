package cxg.scorer.transport;

import cxg.pki.PemIdentity;
import cxg.pki.PkiException;
import cxg.scorer.identity.MemberIdentity;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.value.registry.ValueRegistry;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Makes the gRPC server trust exactly the member CA from its PEM file. Quarkus' own
 * {@code quarkus.grpc.server.ssl.trust-store} takes only PKCS#12/JKS stores with a password;
 * the certificate, key and {@code client-auth=REQUIRED} stay in application.properties.
 * Also fails start-up with a one-line reason when the member's PKI files are missing or do not fit
 * (a corrupt key, a key of another certificate, a certificate of another CA or out of its validity),
 * and when the server did not start for any other reason, such as a port in use: Quarkus only logs a
 * gRPC server that cannot start, and would go on serving health checks without it.
 */
@Singleton
public class MemberCaTrust implements ServerBuilderCustomizer<VertxServerBuilder> {

    private static final Logger LOG = Logger.getLogger(MemberCaTrust.class);

    private final MemberIdentity identity;
    private final ValueRegistry started;
    private final AtomicBoolean portProbed = new AtomicBoolean();
    private volatile String refusal;
    private volatile InetSocketAddress address;

    public MemberCaTrust(MemberIdentity identity, ValueRegistry started) {
        this.identity = identity;
        this.started = started;
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        InetSocketAddress server = new InetSocketAddress(config.host(),
                LaunchMode.current() == LaunchMode.TEST ? config.testPort() : config.port());
        address = server;
        Stream.of(identity.caCertificate(), identity.certificate(), identity.privateKey())
                .filter(file -> !Files.isReadable(file)).findFirst().ifPresent(file -> {
                    throw refuse("cxg.pki.dir: cannot read " + file + " (run ./cxg pki init)");
                });
        try {
            PemIdentity.check(identity.caCertificate(), identity.certificate(), identity.privateKey(), Instant.now());
            PemIdentity.expiringSoon(Instant.now(), PemIdentity.RENEWAL_NOTICE, identity.caCertificate(), identity.certificate()).forEach(LOG::warn);
        } catch (PkiException e) {
            throw refuse("cxg.pki.dir: " + e.getMessage());
        }
        // asked before the server binds, so that Quarkus logs the reason in one line instead of a bind trace; only by the
        // first of several server instances (quarkus.grpc.server.instances), which share the port the first one binds
        String bindFailure = server.getPort() == 0 || !portProbed.compareAndSet(false, true) ? null : bindFailure(server);
        if (bindFailure != null) {
            throw refuse(bindFailure);
        }
        String ca = identity.caCertificate().toString();
        builder.useSsl(options -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca)));
    }

    private StartRefused refuse(String reason) {
        refusal = reason;
        return new StartRefused(reason);
    }

    void failStartUp(@Observes StartupEvent event) {
        if (refusal != null) {
            throw new ConfigurationException("cxg scorer connector: cannot start: " + refusal);
        }
        // any other failure to start the server was only logged above; Quarkus registers the port of a started one
        InetSocketAddress server = address;
        if (server != null && !started.containsKey(GrpcServer.GRPC_PORT)) {
            throw new ConfigurationException("cxg scorer connector: cannot start: its gRPC server did not start on "
                    + server.getHostString() + ":" + server.getPort() + " (the error above says why)");
        }
    }

    /** Why nothing can listen on {@code server}, naming the setting to change, or null when something can. */
    private static String bindFailure(InetSocketAddress server) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(server);
            return null;
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage());
            String where = "cannot listen on " + server.getHostString() + ":" + server.getPort() + ": " + reason;
            return reason.contains("in use")
                    ? "quarkus.grpc.server.port: " + where + "; another process, or a connector already running, listens there"
                    : "quarkus.grpc.server.host: " + where;
        }
    }

    /** Without a stack trace: Quarkus logs it as the gRPC server's failure, in one line. */
    private static final class StartRefused extends IllegalStateException {
        StartRefused(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
