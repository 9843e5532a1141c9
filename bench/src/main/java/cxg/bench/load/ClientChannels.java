package cxg.bench.load;

import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Mutual-TLS gRPC channels of the load tool: the client presents member {@code N}'s certificate
 * ({@code N.crt} + {@code N.key} of the PKI directory) and trusts only the member CA ({@code ca.crt}).
 */
public final class ClientChannels {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private ClientChannels() {
    }

    public static SslContext clientContext(Path pkiDir, String member) {
        File crt = pkiDir.resolve(member + ".crt").toFile();
        File key = pkiDir.resolve(member + ".key").toFile();
        File ca = pkiDir.resolve("ca.crt").toFile();
        for (File f : new File[] {crt, key, ca}) {
            if (!f.isFile()) {
                throw new BenchInputException("--pki-dir: no " + f.getName() + " in " + pkiDir.toAbsolutePath()
                        + " (run ./cxg pki init, or name another member with --as)");
            }
        }
        try {
            return GrpcSslContexts.forClient().keyManager(crt, key).trustManager(ca).build();
        } catch (SSLException e) {
            throw new BenchInputException("--pki-dir: cannot use " + member + "'s certificate and key: " + e.getMessage());
        }
    }

    /**
     * One channel (one HTTP/2 connection) to a checked loopback address. Callbacks run on the
     * transport thread: the tool's own work per call is a few counters.
     */
    public static ManagedChannel open(InetSocketAddress address, SslContext tls) {
        return NettyChannelBuilder.forAddress(address)
                .sslContext(tls)
                .directExecutor()
                .build();
    }

    /** Sends {@code authorization: Bearer <token>} on every call when a token is given. */
    public static Optional<ClientInterceptor> bearer(Optional<String> token) {
        return token.map(t -> {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + t);
            return MetadataUtils.newAttachHeadersInterceptor(headers);
        });
    }

    /** The token in a file (first line, trimmed), for --token-file. */
    public static Optional<String> readToken(Path file) {
        if (file == null) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty() || token.contains("\n")) {
                throw new BenchInputException("--token-file: " + file + " must hold one token on one line");
            }
            return Optional.of(token);
        } catch (java.io.IOException e) {
            throw new BenchInputException("--token-file: cannot read " + file);
        }
    }

    public static io.grpc.Channel intercepted(ManagedChannel channel, Optional<ClientInterceptor> interceptor) {
        return interceptor.map(i -> ClientInterceptors.intercept(channel, i)).orElse(channel);
    }
}
