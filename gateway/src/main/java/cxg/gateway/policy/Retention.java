package cxg.gateway.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the gateway keeps submitted items after they stopped being served
 * ({@code categories.yaml#retention}): ratings and records that expired are deleted
 * {@code afterExpiry} after their expiry, lifted records {@code afterLift} after the lift.
 * They are never served in between; the period only leaves time for disputes and audits.
 */
public record Retention(Duration afterExpiry, Duration afterLift) {

    /** When categories.yaml names no retention. */
    public static final Retention DEFAULT = new Retention(Duration.ofDays(30), Duration.ofDays(30));
    /** The longest period policy may set. */
    public static final Duration MAX = Duration.ofDays(3650);

    public Retention {
        Objects.requireNonNull(afterExpiry, "afterExpiry");
        Objects.requireNonNull(afterLift, "afterLift");
    }
}
