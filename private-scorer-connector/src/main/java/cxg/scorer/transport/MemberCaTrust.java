package cxg.scorer.transport;

import cxg.scorer.identity.MemberIdentity;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.stream.Stream;

/**
 * Makes the gRPC server trust exactly the member CA from its PEM file. Quarkus' own
 * {@code quarkus.grpc.server.ssl.trust-store} takes only PKCS#12/JKS stores with a password;
 * the certificate, key and {@code client-auth=REQUIRED} stay in application.properties.
 * Also fails start-up with a one-line reason when the member's PKI files are missing, and when the
 * server is not listening for any other reason: Quarkus only logs a gRPC server that cannot start,
 * and would go on serving health checks without it.
 */
@Singleton
public class MemberCaTrust implements ServerBuilderCustomizer<VertxServerBuilder> {

    private final MemberIdentity identity;
    private volatile String unreadable;
    private volatile InetSocketAddress address;

    public MemberCaTrust(MemberIdentity identity) {
        this.identity = identity;
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        address = new InetSocketAddress(config.host(), LaunchMode.current() == LaunchMode.TEST ? config.testPort() : config.port());
        Stream.of(identity.caCertificate(), identity.certificate(), identity.privateKey())
                .filter(file -> !Files.isReadable(file)).findFirst().ifPresent(file -> {
                    unreadable = "cxg.pki.dir: cannot read " + file + " (run ./cxg pki init)";
                    throw new MissingPkiFile(unreadable);
                });
        String ca = identity.caCertificate().toString();
        builder.useSsl(options -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca)));
    }

    void failStartUp(@Observes StartupEvent event) {
        if (unreadable != null) {
            throw new ConfigurationException("cxg scorer connector: cannot start: " + unreadable);
        }
        // any other failure to start the server (a corrupt key, a port in use) was only logged above
        InetSocketAddress server = address;
        if (server != null && server.getPort() != 0 && !listening(server)) {
            throw new ConfigurationException("cxg scorer connector: cannot start: its gRPC server is not listening on "
                    + server.getHostString() + ":" + server.getPort() + " (the error above says why)");
        }
    }

    private static boolean listening(InetSocketAddress server) {
        try (Socket probe = new Socket()) {
            probe.connect(server, 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Without a stack trace: Quarkus logs it as the gRPC server's failure, in one line. */
    private static final class MissingPkiFile extends IllegalStateException {
        MissingPkiFile(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
