package cxg.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An open-model run second by second, in {@link #BUCKET_MILLIS} slices of the schedule: per slice, the calls due in it,
 * their largest latency (from the due time) and the load generator's largest send lag (how late after its due time a
 * call actually went out). A stall of the system shows as a slice with a long latency and no send lag; a stall of the
 * load generator itself (its GC, its threads not scheduled) as send lag, which the latency then contains too. The
 * wall-clock start lets the slices be matched with the GC, safepoint and disk logs of the same run.
 */
public final class Timeline {

    public static final int BUCKET_MILLIS = 100;
    private static final long BUCKET_NANOS = BUCKET_MILLIS * 1_000_000L;

    /** A stretch of consecutive slices whose largest latency reached the threshold. */
    public record Stall(long startEpochMillis, long endEpochMillis, long maxLatencyNanos, long maxSendLagNanos, long calls) {
    }

    private final long startEpochMillis;
    private final long startNanos;
    private final AtomicLongArray calls;
    private final AtomicLongArray maxLatency;
    private final AtomicLongArray maxSendLag;
    /** When the run's last call completed (its drain ended): nothing later held any of its calls. */
    private volatile long finishedEpochMillis = Long.MAX_VALUE;

    Timeline(long startEpochMillis, long startNanos, long durationNanos) {
        this.startEpochMillis = startEpochMillis;
        this.startNanos = startNanos;
        int n = (int) Math.max(1, Math.min(100_000, durationNanos / BUCKET_NANOS + 1));
        calls = new AtomicLongArray(n);
        maxLatency = new AtomicLongArray(n);
        maxSendLag = new AtomicLongArray(n);
    }

    /** A timeline read back (e.g. from a test), one entry per slice. */
    public Timeline(long startEpochMillis, long finishedEpochMillis, long[] calls, long[] maxLatencyNanos, long[] maxSendLagNanos) {
        this.startEpochMillis = startEpochMillis;
        this.finishedEpochMillis = finishedEpochMillis;
        this.startNanos = 0;
        this.calls = new AtomicLongArray(calls);
        this.maxLatency = new AtomicLongArray(maxLatencyNanos);
        this.maxSendLag = new AtomicLongArray(maxSendLagNanos);
    }

    private int slice(long dueNanos) {
        return (int) Math.max(0, Math.min(calls.length() - 1, (dueNanos - startNanos) / BUCKET_NANOS));
    }

    void sent(long dueNanos, long sendLagNanos) {
        maxSendLag.accumulateAndGet(slice(dueNanos), sendLagNanos, Math::max);
    }

    void completed(long dueNanos, long latencyNanos) {
        int i = slice(dueNanos);
        calls.incrementAndGet(i);
        maxLatency.accumulateAndGet(i, latencyNanos, Math::max);
    }

    void finished(long epochMillis) {
        finishedEpochMillis = epochMillis;
    }

    public long finishedEpochMillis() {
        return finishedEpochMillis;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public int slices() {
        return calls.length();
    }

    public long calls(int slice) {
        return calls.get(slice);
    }

    public long maxLatencyNanos(int slice) {
        return maxLatency.get(slice);
    }

    public long maxSendLagNanos(int slice) {
        return maxSendLag.get(slice);
    }

    /** Consecutive slices whose largest latency is at least {@code thresholdNanos}, each as one stall. */
    public List<Stall> stalls(long thresholdNanos) {
        List<Stall> out = new ArrayList<>();
        int first = -1;
        long max = 0;
        long lag = 0;
        long n = 0;
        for (int i = 0; i <= slices(); i++) {
            boolean over = i < slices() && maxLatency.get(i) >= thresholdNanos;
            if (over) {
                if (first < 0) {
                    first = i;
                    max = 0;
                    lag = 0;
                    n = 0;
                }
                max = Math.max(max, maxLatency.get(i));
                lag = Math.max(lag, maxSendLag.get(i));
                n += calls.get(i);
            } else if (first >= 0) {
                out.add(new Stall(startEpochMillis + (long) first * BUCKET_MILLIS, startEpochMillis + (long) i * BUCKET_MILLIS, max, lag, n));
                first = -1;
            }
        }
        return out;
    }
}
