package cxg.gateway.fanout;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import cxg.gateway.policy.IdentityMemo;
import cxg.gateway.transport.GatewayTls;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One mutual-TLS channel per scorer target, created on first use and kept: the gateway
 * presents its own certificate and, during the handshake, verifies the connector's against the
 * member CA and its CRL, the endpoint's host name or IP address, and the platform's
 * certificate subject, before any request is sent.
 * <p>
 * Answers are delivered on the channel's own I/O thread (grpc-java's direct executor): the
 * fan-out only completes a future there, and whoever continues from it must not block (the
 * query path hands blocking work to a worker). {@code transport} may put the channels' I/O on
 * the gateway's own event loops, so that a query crosses no extra thread on its way out and back.
 */
public final class TlsScorerChannels implements ScorerChannels, AutoCloseable {

    private final GatewayTls tls;
    private final Consumer<NettyChannelBuilder> transport;
    private final ConcurrentMap<ScorerTarget, ManagedChannel> channels = new ConcurrentHashMap<>();
    /**
     * Recent targets' channels by the target's identity: {@link ScorerEndpoints} hands out the same target instances for
     * a policy set, so a call finds its channel without hashing and comparing the target's three strings.
     */
    private final IdentityMemo<ScorerTarget, ManagedChannel> recent = new IdentityMemo<>(8, this::lookUp);

    /** Channels on grpc-java's own event loop threads. */
    public TlsScorerChannels(GatewayTls tls) {
        this(tls, builder -> { });
    }

    /** {@code transport} sets the event loop group and channel type of each new channel. */
    public TlsScorerChannels(GatewayTls tls, Consumer<NettyChannelBuilder> transport) {
        this.tls = tls;
        this.transport = transport;
    }

    @Override
    public Channel channel(ScorerTarget target) {
        return recent.get(target);
    }

    private ManagedChannel lookUp(ScorerTarget target) {
        ManagedChannel existing = channels.get(target);
        return existing != null ? existing : channels.computeIfAbsent(target, this::open);
    }

    private ManagedChannel open(ScorerTarget target) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target.endpoint())
                .sslContext(tls.clientContext(target.certificateSubject()))
                .directExecutor()
                // no retry policy is configured, so grpc-java's retry layer (a RetriableStream, its buffer and
                // synchronization context around every call) only buys transparent retries of a stream the
                // connector's transport refused before processing it (e.g. a GOAWAY race while it restarts); such
                // a call now ends UNAVAILABLE for that platform alone, as any other failed platform call does
                // (bench/JOURNAL.md, "Profile (JFR)": measured cost of the layer)
                .disableRetry();
        transport.accept(builder);
        return builder.build();
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel channel : channels.values()) {
            try {
                if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
