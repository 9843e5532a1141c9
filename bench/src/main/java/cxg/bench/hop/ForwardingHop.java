package cxg.bench.hop;

import io.grpc.CallOptions;
import io.grpc.Drainable;
import io.grpc.HandlerRegistry;
import io.grpc.KnownLength;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

    /**
     * Opaque bytes, each message copied once at its size: the stream handed to grpc tells its length and drains itself
     * into grpc's buffer, and an incoming message of known length is read into an array of that length (a plain
     * {@code ByteArrayInputStream} and {@code readAllBytes} cost two 8 KB copy buffers per message, ~36 KB per call
     * that a hop need not allocate).
     */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new Message(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (!(stream instanceof KnownLength)) {
                    return stream.readAllBytes();
                }
                byte[] message = new byte[stream.available()];
                int read = stream.readNBytes(message, 0, message.length);
                int next = stream.read();
                if (read == message.length && next == -1) {
                    return message;
                }
                ByteArrayOutputStream whole = new ByteArrayOutputStream(read + 1024);
                whole.write(message, 0, read);
                if (next != -1) {
                    whole.write(next);
                    stream.transferTo(whole);
                }
                return whole.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final class Message extends ByteArrayInputStream implements Drainable, KnownLength {

        Message(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }

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
