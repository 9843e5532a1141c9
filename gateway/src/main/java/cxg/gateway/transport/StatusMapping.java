package cxg.gateway.transport;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one place where failure reasons become gRPC status. The description is what the
 * caller reads ({@code "subject.value: wrong check character"}, {@code "denied by
 * default-deny: ..."}); the offending field and the deciding rule also travel as trailers
 * {@value #FIELD_HEADER} and {@value #RULE_HEADER} so that clients need not parse text.
 */
public final class StatusMapping {

    public static final String FIELD_HEADER = "cxg-field";
    public static final String RULE_HEADER = "cxg-rule";
    public static final Metadata.Key<String> FIELD = Metadata.Key.of(FIELD_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> RULE = Metadata.Key.of(RULE_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private static final Status INTERNAL = Status.INTERNAL.withDescription("internal error in the gateway");

    private StatusMapping() {
    }

    public static Status toStatus(Failure failure) {
        return switch (failure.reason()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT.withDescription(failure.field() + ": " + failure.message());
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED.withDescription(failure.message());
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED.withDescription(
                    "denied by " + failure.rule() + ": " + failure.message());
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED.withDescription(
                    "quota of " + failure.rule() + " used up: " + failure.message());
            case UNAVAILABLE -> Status.UNAVAILABLE.withDescription(failure.message());
            // UNAVAILABLE, not RESOURCE_EXHAUSTED: that one means a member's own quota here, and this is transient
            case OVERLOADED -> Status.UNAVAILABLE.withDescription("gateway overloaded: " + failure.message());
            case CANCELLED -> Status.CANCELLED.withDescription(failure.message());
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED.withDescription(failure.message());
        };
    }

    public static Metadata trailers(Failure failure) {
        Metadata trailers = new Metadata();
        if (failure.field() != null) {
            trailers.put(FIELD, asciiOnly(failure.field()));
        }
        if (failure.rule() != null) {
            trailers.put(RULE, asciiOnly(failure.rule()));
        }
        return trailers;
    }

    public static StatusRuntimeException toException(Failure failure) {
        return toStatus(failure).asRuntimeException(trailers(failure));
    }

    /** For anything unexpected: a fixed description, never the internal exception's message. */
    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {
    };

    /** Ends a call an interceptor refuses, with the failure's status and trailers. */
    @SuppressWarnings("unchecked")
    public static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Failure failure) {
        call.close(toStatus(failure), trailers(failure));
        return (ServerCall.Listener<Q>) NOOP;
    }

    public static StatusRuntimeException internal() {
        return INTERNAL.asRuntimeException();
    }

    private static String asciiOnly(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
