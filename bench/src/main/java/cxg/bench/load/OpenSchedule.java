package cxg.bench.load;

/**
 * Intended start times of an open-model run: request {@code i} is due at {@code start + i / rate},
 * whatever happened to earlier requests. Latency is measured from this intended time, not from
 * when the request was actually sent, so a stalled system (or a stalled load generator) shows up
 * as the queueing delay a real client would have seen instead of being silently skipped
 * (coordinated omission).
 */
public final class OpenSchedule {

    private final long startNanos;
    private final double periodNanos;

    public OpenSchedule(long startNanos, double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new BenchInputException("--rate: must be above 0 requests/s");
        }
        this.startNanos = startNanos;
        this.periodNanos = 1e9 / ratePerSecond;
    }

    public long intendedStart(long index) {
        return startNanos + Math.round(index * periodNanos);
    }

    /** Latency charged to a request: from when it was due, not from when it was sent. */
    public static long correctedLatency(long intendedStartNanos, long completedNanos) {
        return Math.max(0, completedNanos - intendedStartNanos);
    }
}
