package cxg.bench.hop;

import io.grpc.CallOptions;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling for any gateway: a gRPC server over mutual TLS that forwards every unary call,
 * as opaque bytes under the same method name, to one backend over mutual TLS, and relays the
 * answer or the status. No parsing, no policy, no logging; the caller's deadline travels on
 * (gRPC propagates it from the server call's context).
 */
public final class ForwardingHop implements AutoCloseable {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final ManagedChannel backend;
    private final Server server;
    private final String tls;
    private final Map<String, ServerMethodDefinition<byte[], byte[]>> methods = new ConcurrentHashMap<>();

    private ForwardingHop(ManagedChannel backend, Server server, String tls) {
        this.backend = backend;
        this.server = server;
        this.tls = tls;
    }

    /**
     * @param listen  address to serve on (the caller checks it is loopback)
     * @param backendAddress where to forward to
     * @param pkiDir  {@code ca.crt} and {@code member}.crt/.key, presented on both sides
     * @param member  whose certificate the hop presents (the scorers serve only the gateway's)
     */
    public static ForwardingHop start(InetSocketAddress listen, InetSocketAddress backendAddress, Path pkiDir, String member)
            throws IOException {
        java.io.File crt = pkiDir.resolve(member + ".crt").toFile();
        java.io.File key = pkiDir.resolve(member + ".key").toFile();
        java.io.File ca = pkiDir.resolve("ca.crt").toFile();
        SslContext serverTls = GrpcSslContexts.forServer(crt, key).trustManager(ca).clientAuth(ClientAuth.REQUIRE).build();
        SslContext clientTls = GrpcSslContexts.forClient().keyManager(crt, key).trustManager(ca).build();
        ManagedChannel backend = NettyChannelBuilder.forAddress(backendAddress).sslContext(clientTls).directExecutor().build();
        ForwardingHop[] self = new ForwardingHop[1];
        Server server = NettyServerBuilder.forAddress(listen)
                .sslContext(serverTls)
                .directExecutor()
                .fallbackHandlerRegistry(new HandlerRegistry() {
                    @Override
                    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
                        return self[0].methods.computeIfAbsent(methodName, self[0]::forwarding);
                    }
                })
                .build();
        self[0] = new ForwardingHop(backend, server, providerOf(serverTls));
        server.start();
        return self[0];
    }

    /** The TLS implementation on the caller's side, as the gateway names its own: BoringSSL when netty-tcnative loads. */
    public String tls() {
        return tls;
    }

    static String providerOf(SslContext context) {
        return context instanceof OpenSslContext ? "OpenSSL (BoringSSL)" : "JDK";
    }

    public int port() {
        return server.getPort();
    }

    private ServerMethodDefinition<byte[], byte[]> forwarding(String fullMethodName) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        return ServerMethodDefinition.create(method, ServerCalls.asyncUnaryCall(
                (byte[] request, StreamObserver<byte[]> response) ->
                        ClientCalls.asyncUnaryCall(backend.newCall(method, CallOptions.DEFAULT), request, response)));
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        backend.shutdown();
        server.awaitTermination(2, TimeUnit.SECONDS);
        backend.awaitTermination(2, TimeUnit.SECONDS);
    }
}
