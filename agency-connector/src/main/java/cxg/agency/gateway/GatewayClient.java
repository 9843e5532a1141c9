package cxg.agency.gateway;

import cxg.v1.QueryServiceGrpc;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls the gateway's query service (score queries and restriction checks) over mutual TLS as one member. One client holds one
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
        Called<ScoreReport> called = call(stub -> stub.queryScore(query));
        return called.failure() == null ? new QueryOutcome.Answered(called.answer()) : new QueryOutcome.Failed(called.failure());
    }

    /** Asks the gateway whether a subject is under a restriction (yes/no, measures and dates only). */
    public RestrictionOutcome checkRestriction(RestrictionCheck check) {
        Called<RestrictionAnswer> called = call(stub -> stub.checkRestriction(check));
        return called.failure() == null ? new RestrictionOutcome.Answered(called.answer())
                : new RestrictionOutcome.Failed(called.failure());
    }

    private record Called<T>(T answer, GatewayFailure failure) {
    }

    private <T> Called<T> call(Function<QueryServiceGrpc.QueryServiceBlockingStub, T> rpc) {
        Called<T> called = attempt(rpc);
        // A token the gateway rejected (expired in flight, keys rotated) is replaced and the call retried once.
        if (tokens.isPresent() && called.failure() != null && called.failure().kind() == FailureKind.UNAUTHENTICATED) {
            tokens.get().invalidate();
            called = attempt(rpc);
        }
        return called;
    }

    private <T> Called<T> attempt(Function<QueryServiceGrpc.QueryServiceBlockingStub, T> rpc) {
        QueryServiceGrpc.QueryServiceBlockingStub call = stub;
        if (tokens.isPresent()) {
            Metadata headers = new Metadata();
            try {
                headers.put(AUTHORIZATION, "Bearer " + tokens.get().current());
            } catch (MemberTokens.TokenUnavailableException e) {
                return new Called<>(null, GatewayFailure.of(FailureKind.UNAVAILABLE, e.getMessage()));
            }
            call = call.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        try {
            return new Called<>(rpc.apply(call.withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS)), null);
        } catch (StatusRuntimeException e) {
            return new Called<>(null, GatewayFailures.from(e, settings));
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
