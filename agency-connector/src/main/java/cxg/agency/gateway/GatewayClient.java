package cxg.agency.gateway;

import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Calls the gateway's query service over mutual TLS as one member. One client holds one
 * channel; it is thread-safe and meant to be reused, then closed.
 */
public final class GatewayClient implements AutoCloseable {

    private final GatewaySettings settings;
    private final ManagedChannel channel;
    private final QueryServiceGrpc.QueryServiceBlockingStub stub;
    private final Optional<MemberTokens> tokens;

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GatewayClient(GatewaySettings settings, ManagedChannel channel, Optional<MemberTokens> tokens) {
        this.settings = settings;
        this.channel = channel;
        this.stub = QueryServiceGrpc.newBlockingStub(channel);
        this.tokens = tokens;
    }

    /** Loads the member's credentials and prepares a channel; connects on the first call. */
    public static GatewayClient open(GatewaySettings settings) throws CredentialsUnavailableException {
        return open(settings, settings.member());
    }

    /**
     * Demo aid only: connects with the member's certificate but sends {@code tokenMember}'s token, to show
     * the gateway refusing a token of the wrong member. Fails if no Keycloak is configured (no token at all).
     */
    public static GatewayClient openWithTokenOf(GatewaySettings settings, String tokenMember) throws CredentialsUnavailableException {
        if (System.getProperty("cxg.keycloak.url", "").isBlank()) {
            throw new CredentialsUnavailableException("--demo-token-of", "needs Keycloak (cxg.keycloak.url): without it no token is sent");
        }
        return open(settings, tokenMember);
    }

    private static GatewayClient open(GatewaySettings settings, String tokenMember) throws CredentialsUnavailableException {
        ManagedChannel channel = NettyChannelBuilder
                .forAddress(settings.endpoint().host(), settings.endpoint().port())
                .sslContext(MemberCredentials.clientContext(settings.pkiDir(), settings.member()))
                .build();
        return new GatewayClient(settings, channel, MemberTokens.configured(settings.pkiDir(), tokenMember));
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
        QueryOutcome outcome = attempt(query);
        // A token the gateway rejected (expired in flight, keys rotated) is replaced and the call retried once.
        if (tokens.isPresent() && outcome instanceof QueryOutcome.Failed failed
                && failed.failure().kind() == FailureKind.UNAUTHENTICATED) {
            tokens.get().invalidate();
            outcome = attempt(query);
        }
        return outcome;
    }

    private QueryOutcome attempt(ScoreQuery query) {
        QueryServiceGrpc.QueryServiceBlockingStub call = stub;
        if (tokens.isPresent()) {
            Metadata headers = new Metadata();
            try {
                headers.put(AUTHORIZATION, "Bearer " + tokens.get().current());
            } catch (MemberTokens.TokenUnavailableException e) {
                return new QueryOutcome.Failed(GatewayFailure.of(FailureKind.UNAVAILABLE, e.getMessage()));
            }
            call = call.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        try {
            return new QueryOutcome.Answered(call
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
