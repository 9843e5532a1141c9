package cxg.agency.gateway;

import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * Calls the gateway's query service over mutual TLS as one member. One client holds one
 * channel; it is thread-safe and meant to be reused, then closed.
 */
public final class GatewayClient implements AutoCloseable {

    private final GatewaySettings settings;
    private final ManagedChannel channel;
    private final QueryServiceGrpc.QueryServiceBlockingStub stub;

    private GatewayClient(GatewaySettings settings, ManagedChannel channel) {
        this.settings = settings;
        this.channel = channel;
        this.stub = QueryServiceGrpc.newBlockingStub(channel);
    }

    /** Loads the member's credentials and prepares a channel; connects on the first call. */
    public static GatewayClient open(GatewaySettings settings) throws CredentialsUnavailableException {
        ManagedChannel channel = NettyChannelBuilder
                .forAddress(settings.endpoint().host(), settings.endpoint().port())
                .sslContext(MemberCredentials.clientContext(settings.pkiDir(), settings.member()))
                .build();
        return new GatewayClient(settings, channel);
    }

    public GatewaySettings settings() {
        return settings;
    }

    /** Starts connecting, TLS handshake included, ahead of the first call; returns at once. */
    public void connectInBackground() {
        channel.getState(true);
    }

    /** Asks the gateway for a score report; every failure comes back as a value, never thrown. */
    public QueryOutcome queryScore(ScoreQuery query) {
        try {
            return new QueryOutcome.Answered(stub
                    .withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .queryScore(query));
        } catch (StatusRuntimeException e) {
            return new QueryOutcome.Failed(GatewayFailures.from(e, settings));
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
