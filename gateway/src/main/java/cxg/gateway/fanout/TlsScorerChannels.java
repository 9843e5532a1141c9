package cxg.gateway.fanout;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One mutual-TLS channel per scorer endpoint, created on first use and kept: the gateway
 * presents its own certificate and verifies the connector's against the member CA and the
 * endpoint's host name or IP address.
 */
public final class TlsScorerChannels implements ScorerChannels, AutoCloseable {

    private final SslContext sslContext;
    private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public TlsScorerChannels(SslContext clientContext) {
        this.sslContext = clientContext;
    }

    @Override
    public Channel channel(String endpoint) {
        return channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e)
                .sslContext(sslContext)
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
