package cxg.gateway.transport;

import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the gateway takes on a call's work: not when its caller has already stopped waiting (cancelled, or
 * its deadline passed while the call queued), and not beyond {@code limit} calls in flight. Under overload the
 * gateway otherwise keeps fanning out and auditing calls whose answers nobody reads, and its goodput collapses;
 * refusing at the door costs a caller one fast UNAVAILABLE instead. A refusal is a returned value, never thrown.
 */
public final class Admission {

    /** Setting that bounds the score queries in flight (admitted, answer not yet ready). */
    public static final String LIMIT_SETTING = "cxg.gateway.max-queries-in-flight";

    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Admission(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException(LIMIT_SETTING + " must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    /** A place among the calls in flight; {@link #close} gives it back (once, however often it is called). */
    public final class Permit implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }
    }

    /** A permit for {@code call}'s work, or why it gets none: its caller is gone, or the gateway is full. */
    public Outcome<Permit> admit(Context call) {
        Failure gone = callerGone(call);
        if (gone != null) {
            return Outcome.fail(gone);
        }
        // Take a place first and give it back if it was one too many: no compare-and-set retry, whose rare failure
        // (another thread releasing at that moment) made C2 throw away the whole compiled query path it was inlined
        // in (bench/JOURNAL.md, "The query path's JIT traps, and when C2 gets to its roots"). Callers racing at the
        // limit may see each other's place for an instant and be refused as if it were full; never more than the
        // limit are admitted.
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            return Outcome.fail(Failure.overloaded("the gateway is at its limit of " + limit
                    + " queries in flight (" + LIMIT_SETTING + "); retry shortly"));
        }
        return Outcome.ok(new Permit());
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int limit() {
        return limit;
    }

    /**
     * Why the caller of {@code call} no longer waits for an answer, or null while it does. gRPC cancels a
     * server call's context when the caller cancels, when its deadline passes, or when the connection goes.
     */
    public static Failure callerGone(Context call) {
        Deadline deadline = call.getDeadline();
        if (deadline != null && deadline.isExpired() || call.cancellationCause() instanceof TimeoutException) {
            return Failure.deadlineExceeded("the caller's deadline passed before the gateway could answer");
        }
        return call.isCancelled() ? Failure.cancelled("the caller cancelled the call before the gateway could answer") : null;
    }
}
