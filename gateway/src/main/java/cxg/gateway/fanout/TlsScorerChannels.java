package cxg.gateway.fanout;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import cxg.gateway.transport.GatewayTls;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One mutual-TLS channel per scorer target, created on first use and kept: the gateway
 * presents its own certificate and, during the handshake, verifies the connector's against the
 * member CA and its CRL, the endpoint's host name or IP address, and the platform's
 * certificate subject, before any request is sent.
 */
public final class TlsScorerChannels implements ScorerChannels, AutoCloseable {

    private final GatewayTls tls;
    private final ConcurrentMap<ScorerTarget, ManagedChannel> channels = new ConcurrentHashMap<>();

    public TlsScorerChannels(GatewayTls tls) {
        this.tls = tls;
    }

    @Override
    public Channel channel(ScorerTarget target) {
        return channels.computeIfAbsent(target, t -> NettyChannelBuilder.forTarget(t.endpoint())
                .sslContext(tls.clientContext(t.certificateSubject()))
                .build());
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
