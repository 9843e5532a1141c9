package cxg.scorer.transport;

import cxg.scorer.identity.MemberIdentity;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes the gRPC server trust exactly the member CA from its PEM file. Quarkus' own
 * {@code quarkus.grpc.server.ssl.trust-store} takes only PKCS#12/JKS stores with a password;
 * the certificate, key and {@code client-auth=REQUIRED} stay in application.properties.
 * Also fails start-up with a one-line reason when the member's PKI files are missing.
 */
@Singleton
public class MemberCaTrust implements ServerBuilderCustomizer<VertxServerBuilder> {

    private final MemberIdentity identity;

    public MemberCaTrust(MemberIdentity identity) {
        this.identity = identity;
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        requireFile(identity.caCertificate());
        requireFile(identity.certificate());
        requireFile(identity.privateKey());
        String ca = identity.caCertificate().toString();
        builder.useSsl(options -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca)));
    }

    private static void requireFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("cxg.pki.dir: cannot read " + file + " (run ./cxg pki init)");
        }
    }
}
