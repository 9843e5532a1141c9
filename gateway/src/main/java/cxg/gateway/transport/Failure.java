package cxg.gateway.transport;

import java.util.Objects;

/**
 * Why a request cannot be served, as a value. The small fixed set of reasons is mapped to
 * gRPC status in one place, {@link StatusMapping}. Messages are written for the caller and
 * never carry a raw subject identifier or an internal exception message.
 */
public record Failure(Reason reason, String field, String rule, String message) {

    /**
     * {@code OVERLOADED}: shed at admission, retry shortly (gRPC UNAVAILABLE). {@code CANCELLED} and
     * {@code DEADLINE_EXCEEDED}: the caller stopped waiting before the answer was ready; nobody reads the status,
     * but the audit entry says so.
     */
    public enum Reason {
        INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, OVERLOADED, CANCELLED,
        DEADLINE_EXCEEDED
    }

    public Failure {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** Bad input; {@code field} is the request field's path, e.g. {@code subject.value} or {@code categories[1]}. */
    public static Failure invalidArgument(String field, String message) {
        return new Failure(Reason.INVALID_ARGUMENT, Objects.requireNonNull(field, "field"), null, message);
    }

    public static Failure unauthenticated(String message) {
        return new Failure(Reason.UNAUTHENTICATED, null, null, message);
    }

    /** Refused by policy; {@code rule} names the deciding rule, e.g. {@code default-deny}. */
    public static Failure permissionDenied(String rule, String reason) {
        return new Failure(Reason.PERMISSION_DENIED, null, Objects.requireNonNull(rule, "rule"), reason);
    }

    /** Allowed by {@code rule}, but its quota is used up for now: the caller may retry later. */
    public static Failure quotaExceeded(String rule, String reason) {
        return new Failure(Reason.RESOURCE_EXHAUSTED, null, Objects.requireNonNull(rule, "rule"), reason);
    }

    public static Failure unavailable(String message) {
        return new Failure(Reason.UNAVAILABLE, null, null, message);
    }

    /** The gateway is at its limit of work in flight and refused this call before doing any of it. */
    public static Failure overloaded(String message) {
        return new Failure(Reason.OVERLOADED, null, null, message);
    }

    /** The caller cancelled the call before its answer was ready. */
    public static Failure cancelled(String message) {
        return new Failure(Reason.CANCELLED, null, null, message);
    }

    /** The caller's deadline passed before the answer was ready. */
    public static Failure deadlineExceeded(String message) {
        return new Failure(Reason.DEADLINE_EXCEEDED, null, null, message);
    }
}
