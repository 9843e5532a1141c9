package cxg.gateway.policy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-agreement queries-per-minute quotas as token buckets (an agreement belongs to exactly
 * one member, so this is per member and agreement). Lives beside the policy sets, not in
 * them, so that a reload does not refill every bucket; a changed quota resets its bucket.
 * Quotas count per gateway replica.
 */
public final class QuotaLimiter {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final boolean enforced;

    private QuotaLimiter(LongSupplier nanoTime, boolean enforced) {
        this.nanoTime = nanoTime;
        this.enforced = enforced;
    }

    public static QuotaLimiter create() {
        return new QuotaLimiter(System::nanoTime, true);
    }

    public static QuotaLimiter withClock(LongSupplier nanoTime) {
        return new QuotaLimiter(nanoTime, true);
    }

    /** Never refuses: for explaining decisions without spending anyone's quota. */
    public static QuotaLimiter unlimited() {
        return new QuotaLimiter(System::nanoTime, false);
    }

    /** Takes one query from the agreement's bucket; false when it is empty. */
    public boolean tryAcquire(String agreementId, int perMinute) {
        if (!enforced) {
            return true;
        }
        Bucket b = buckets.get(agreementId);
        if (b == null || b.perMinute != perMinute) {
            Bucket fresh = new Bucket(perMinute, nanoTime.getAsLong());
            b = b == null ? buckets.computeIfAbsent(agreementId, k -> fresh) : buckets.merge(agreementId, fresh,
                    (old, neu) -> old.perMinute == perMinute ? old : neu);
        }
        return b.tryTake(nanoTime.getAsLong());
    }

    private static final class Bucket {
        final int perMinute;
        /** Tokens scaled by MINUTE_NANOS so that refill is integer arithmetic. */
        private long scaledTokens;
        private long last;

        Bucket(int perMinute, long now) {
            this.perMinute = perMinute;
            this.scaledTokens = perMinute * MINUTE_NANOS;
            this.last = now;
        }

        synchronized boolean tryTake(long now) {
            long capacity = perMinute * MINUTE_NANOS;
            long elapsed = Math.max(0, now - last);
            last = now;
            // perMinute tokens per MINUTE_NANOS: elapsed * perMinute scaled tokens; saturate
            long refill = elapsed > capacity / Math.max(1, perMinute) ? capacity : elapsed * perMinute;
            scaledTokens = Math.min(capacity, scaledTokens + refill);
            if (scaledTokens >= MINUTE_NANOS) {
                scaledTokens -= MINUTE_NANOS;
                return true;
            }
            return false;
        }
    }
}
