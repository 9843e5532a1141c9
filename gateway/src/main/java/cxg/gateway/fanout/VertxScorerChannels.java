package cxg.gateway.fanout;

import cxg.gateway.transport.GatewayTls;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.tls.SslContextFactory;
import io.vertx.grpcio.client.GrpcIoClient;
import io.vertx.grpcio.client.GrpcIoClientChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The alternative to {@link TlsScorerChannels} ({@code cxg.gateway.fanout-client=vertx}): Vert.x's
 * gRPC client (the one Quarkus uses with {@code use-quarkus-grpc-client=true}) on the gateway's
 * Vert.x instance. The TLS context is the same one {@link TlsScorerChannels} uses (gateway
 * certificate, member CA and CRL, the platform's certificate subject), and host names are verified.
 * Vert.x's gRPC client ignores a call's deadline, so each call gets a Vert.x timer that cancels it
 * at the deadline (reported as DEADLINE_EXCEEDED) and the deadline travels as {@code grpc-timeout}.
 */
public final class VertxScorerChannels implements ScorerChannels, AutoCloseable {

    private static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    private final GatewayTls tls;
    private final Vertx vertx;
    private final ConcurrentMap<ScorerTarget, Open> channels = new ConcurrentHashMap<>();

    private record Open(GrpcIoClient client, Channel channel) {
    }

    public VertxScorerChannels(GatewayTls tls, Vertx vertx) {
        this.tls = tls;
        this.vertx = vertx;
    }

    @Override
    public Channel channel(ScorerTarget target) {
        Open existing = channels.get(target);
        return (existing != null ? existing : channels.computeIfAbsent(target, this::open)).channel();
    }

    private Open open(ScorerTarget target) {
        int colon = target.endpoint().lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("scorer endpoint: expected host:port");
        }
        String host = target.endpoint().substring(0, colon);
        int port = Integer.parseInt(target.endpoint().substring(colon + 1));
        SslContext context = tls.clientContext(target.certificateSubject());
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setVerifyHost(true)
                .setHttp2ClearTextUpgrade(false)
                .setSslEngineOptions(new FixedContext(context));
        GrpcIoClient client = GrpcIoClient.client(vertx, options);
        return new Open(client, new DeadlineChannel(new GrpcIoClientChannel(client, SocketAddress.inetSocketAddress(port, host)), vertx));
    }

    @Override
    public void close() {
        channels.values().forEach(open -> open.client().close());
    }

    /** Hands Vert.x the gateway's own client TLS context instead of one Vert.x would build from options. */
    private static final class FixedContext extends JdkSSLEngineOptions {
        private final SslContext context;

        FixedContext(SslContext context) {
            this.context = context;
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return () -> context;
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new FixedContext(context);
        }
    }

    /** Enforces the call's deadline, which Vert.x's gRPC client would otherwise ignore. */
    private static final class DeadlineChannel extends Channel {
        private final Channel delegate;
        private final Vertx vertx;

        DeadlineChannel(Channel delegate, Vertx vertx) {
            this.delegate = delegate;
            this.vertx = vertx;
        }

        @Override
        public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
            ClientCall<Q, R> call = delegate.newCall(method, options);
            Deadline deadline = options.getDeadline();
            return deadline == null ? call : new DeadlineCall<>(call, deadline, vertx);
        }

        @Override
        public String authority() {
            return delegate.authority();
        }
    }

    private static final class DeadlineCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {
        private final Deadline deadline;
        private final Vertx vertx;
        private volatile boolean expired;
        private volatile long timer;

        DeadlineCall(ClientCall<Q, R> delegate, Deadline deadline, Vertx vertx) {
            super(delegate);
            this.deadline = deadline;
            this.vertx = vertx;
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
            long millis = Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
            headers.put(GRPC_TIMEOUT, millis + "m");
            timer = vertx.setTimer(millis, id -> {
                expired = true;
                delegate().cancel("deadline exceeded", null);
            });
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    vertx.cancelTimer(timer);
                    super.onClose(expired ? Status.DEADLINE_EXCEEDED : status, trailers);
                }
            }, headers);
        }
    }
}
