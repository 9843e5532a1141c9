package cxg.bench.load;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one measured run. Latencies (in microseconds) are of answered calls (OK and
 * DEGRADED); failed calls are only counted. {@code throughput} is answered calls per second
 * from the first scheduled start to the last completion. Open-model runs also carry the load generator's send lag
 * (how late after its due time each call went out) and a {@link Timeline}; both are null otherwise.
 */
public record LoadResult(String label, LoadSpec spec, long sent, long ok, long degraded, long failed,
                         Map<String, Long> failures, Map<String, Long> degradations,
                         double elapsedSeconds, Histogram histogramNanos, Histogram sendLagNanos, Histogram fromSendNanos,
                         Timeline timeline) {

    public LoadResult(String label, LoadSpec spec, long sent, long ok, long degraded, long failed, Map<String, Long> failures,
                      Map<String, Long> degradations, double elapsedSeconds, Histogram histogramNanos) {
        this(label, spec, sent, ok, degraded, failed, failures, degradations, elapsedSeconds, histogramNanos, null, null, null);
    }

    /**
     * Open model: latency at a percentile counted from when each call was actually sent, µs. Against
     * {@link #percentileMicros} (from the due time) it shows how much of a tail the load generator's own lag made.
     */
    public double fromSendMicros(double percentile) {
        return micros(fromSendNanos, percentile);
    }

    /** The load generator's send lag at a percentile, µs (NaN for a closed-model run). */
    public double sendLagMicros(double percentile) {
        return micros(sendLagNanos, percentile);
    }

    public long answered() {
        return ok + degraded;
    }

    public double throughput() {
        return elapsedSeconds > 0 ? answered() / elapsedSeconds : 0;
    }

    public double percentileMicros(double percentile) {
        return micros(histogramNanos, percentile);
    }

    /** {@code h}'s value at {@code percentile} in µs; NaN if there is none. */
    private static double micros(Histogram h, double percentile) {
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxMicros() {
        return histogramNanos.getTotalCount() == 0 ? Double.NaN : histogramNanos.getMaxValue() / 1000.0;
    }

    public double meanMicros() {
        return histogramNanos.getTotalCount() == 0 ? Double.NaN : histogramNanos.getMean() / 1000.0;
    }

    /** True if every call was answered with every platform OK. */
    public boolean clean() {
        return degraded == 0 && failed == 0 && sent > 0;
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%s: %s, %d sent in %.2f s%n", label, spec.describe(), sent, elapsedSeconds));
        s.append(String.format("  throughput %.0f answered/s  (ok %d, degraded %d, failed %d)%n",
                throughput(), ok, degraded, failed));
        s.append(String.format("  latency µs  p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f  mean %.0f%n",
                percentileMicros(50), percentileMicros(90), percentileMicros(99), percentileMicros(99.9),
                maxMicros(), meanMicros()));
        if (sendLagNanos != null) {
            s.append(String.format("  load generator's send lag µs  p99 %.0f  max %.0f (included in the latencies above; p99 from the "
                    + "actual send %.0f)%n", sendLagMicros(99), sendLagMicros(100), fromSendMicros(99)));
        }
        if (!failures.isEmpty()) {
            s.append("  failures: ").append(failures).append('\n');
        }
        if (!degradations.isEmpty()) {
            s.append("  degraded answers (platform status): ").append(degradations).append('\n');
        }
        return s.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("model", spec.model().name().toLowerCase());
        if (spec.model() == LoadSpec.Model.CLOSED) {
            m.put("concurrency", spec.concurrency());
        } else {
            m.put("offeredRate", spec.rate());
        }
        m.put("sent", sent);
        m.put("ok", ok);
        m.put("degraded", degraded);
        m.put("failed", failed);
        m.put("failures", new TreeMap<>(failures));
        m.put("degradations", new TreeMap<>(degradations));
        m.put("elapsedSeconds", elapsedSeconds);
        m.put("throughput", throughput());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", percentileMicros(50));
        lat.put("p90", percentileMicros(90));
        lat.put("p99", percentileMicros(99));
        lat.put("p99.9", percentileMicros(99.9));
        lat.put("max", maxMicros());
        lat.put("mean", meanMicros());
        m.put("latencyMicros", lat);
        if (sendLagNanos != null) {
            m.put("sendLagMicros", Map.of("p99", sendLagMicros(99), "p99.9", sendLagMicros(99.9), "max", sendLagMicros(100)));
            m.put("fromSendMicros", Map.of("p50", fromSendMicros(50), "p99", fromSendMicros(99), "max", fromSendMicros(100)));
        }
        ByteBuffer buf = ByteBuffer.allocate(histogramNanos.getNeededByteBufferCapacity());
        int n = histogramNanos.encodeIntoCompressedByteBuffer(buf);
        m.put("histogramNanosHdrBase64", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n)));
        return m;
    }
}
