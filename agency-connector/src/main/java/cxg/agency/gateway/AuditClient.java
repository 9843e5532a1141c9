package cxg.agency.gateway;

import cxg.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls the gateway's audit service over mutual TLS as one member (normally {@code auditor}), with the
 * member's certificate-bound token when Keycloak is configured: the same credentials as {@link GatewayClient}.
 */
public final class AuditClient implements AutoCloseable {

    /** Exports carry every selected entry with its proof; allow more than gRPC's 4 MiB default. */
    private static final int MAX_MESSAGE = 256 * 1024 * 1024;
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** An answer, or why there is none. */
    public sealed interface Result<T> {
        record Answered<T>(T value) implements Result<T> {
        }

        record Failed<T>(GatewayFailure failure) implements Result<T> {
        }
    }

    private final GatewaySettings settings;
    private final ManagedChannel channel;
    private final Optional<MemberTokens> tokens;

    private AuditClient(GatewaySettings settings, ManagedChannel channel, Optional<MemberTokens> tokens) {
        this.settings = settings;
        this.channel = channel;
        this.tokens = tokens;
    }

    public static AuditClient open(GatewaySettings settings) throws CredentialsUnavailableException {
        ManagedChannel channel = NettyChannelBuilder
                .forAddress(settings.endpoint().host(), settings.endpoint().port())
                .sslContext(MemberCredentials.clientContext(settings.pkiDir(), settings.member()))
                .maxInboundMessageSize(MAX_MESSAGE)
                .build();
        return new AuditClient(settings, channel, MemberTokens.configured(settings.pkiDir(), settings.member()));
    }

    /** Makes one call; a token the gateway rejected is replaced and the call retried once. */
    public <T> Result<T> call(Function<AuditServiceGrpc.AuditServiceBlockingStub, T> call) {
        Result<T> result = attempt(call);
        if (tokens.isPresent() && result instanceof Result.Failed<T> failed
                && failed.failure().kind() == FailureKind.UNAUTHENTICATED) {
            tokens.get().invalidate();
            result = attempt(call);
        }
        return result;
    }

    private <T> Result<T> attempt(Function<AuditServiceGrpc.AuditServiceBlockingStub, T> call) {
        AuditServiceGrpc.AuditServiceBlockingStub stub = AuditServiceGrpc.newBlockingStub(channel);
        if (tokens.isPresent()) {
            Metadata headers = new Metadata();
            try {
                headers.put(AUTHORIZATION, "Bearer " + tokens.get().current());
            } catch (MemberTokens.TokenUnavailableException e) {
                return new Result.Failed<>(GatewayFailure.of(FailureKind.UNAVAILABLE, e.getMessage()));
            }
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        try {
            return new Result.Answered<>(call.apply(stub.withDeadlineAfter(settings.deadline().toMillis(), TimeUnit.MILLISECONDS)));
        } catch (StatusRuntimeException e) {
            return new Result.Failed<>(GatewayFailures.from(e, settings));
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
