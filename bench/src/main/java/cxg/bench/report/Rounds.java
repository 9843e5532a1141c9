package cxg.bench.report;

import cxg.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Paths measured in interleaved rounds (every path once per round, back to back), so that a slow minute of the
 * host hits the paths a ratio compares alike: the target figures are medians of per-round ratios or differences.
 */
final class Rounds {

    /** One measured window of one path, with the CPU the report's processes used in it (null if not metered). */
    record Measured(LoadResult result, CpuUse cpu) {

        Map<String, Double> cpuMicrosPerCall() {
            return cpu == null ? Map.of() : cpu.microsPerCall(result.answered());
        }
    }

    /** The median of some per-round values, with their range. */
    record Spread(double median, double min, double max, int n, List<Double> values) {

        Spread(double median, double min, double max, int n) {
            this(median, min, max, n, List.of());
        }

        /** How many rounds are above {@code limit}. */
        long over(double limit) {
            return values.stream().filter(v -> v > limit).count();
        }

        String format(String pattern) {
            return format(pattern, "");
        }

        /** The median with its unit, then the range over the rounds, e.g. {@code 459 µs (310–620, 5 rounds)}. */
        String format(String pattern, String unit) {
            String m = String.format(Locale.ROOT, pattern, median) + unit;
            return n <= 1 ? m : m + String.format(Locale.ROOT, " (" + pattern + "–" + pattern + ", %d rounds)", min, max, n);
        }
    }

    private Rounds() {
    }

    static Spread spread(List<Double> values) {
        if (values.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1), n, List.copyOf(values));
    }

    /** Round by round, {@code f(a) / f(b)}; the rounds of both lists are paired in order. */
    static Spread ratios(List<Measured> a, List<Measured> b, ToDoubleFunction<Measured> f) {
        return ratios(a, f, b, f);
    }

    /** Round by round, {@code fa(a) / fb(b)}. */
    static Spread ratios(List<Measured> a, ToDoubleFunction<Measured> fa, List<Measured> b, ToDoubleFunction<Measured> fb) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            v.add(fa.applyAsDouble(a.get(i)) / fb.applyAsDouble(b.get(i)));
        }
        return spread(v);
    }

    /** Round by round, {@code f(a) - f(b)}. */
    static Spread differences(List<Measured> a, List<Measured> b, ToDoubleFunction<Measured> f) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            v.add(f.applyAsDouble(a.get(i)) - f.applyAsDouble(b.get(i)));
        }
        return spread(v);
    }

    /**
     * All rounds of a path as one run: counts and latency histograms added, measured times added (so throughput
     * is answered calls per measured second), CPU added.
     */
    static Measured merge(List<Measured> rounds) {
        if (rounds.size() == 1) {
            return rounds.get(0);
        }
        LoadResult first = rounds.get(0).result();
        Histogram h = first.histogramNanos().copy();
        Histogram lag = first.sendLagNanos() == null ? null : first.sendLagNanos().copy();
        Histogram fromSend = first.fromSendNanos() == null ? null : first.fromSendNanos().copy();
        long sent = 0;
        long ok = 0;
        long degraded = 0;
        long failed = 0;
        double elapsed = 0;
        Map<String, Long> failures = new TreeMap<>();
        Map<String, Long> degradations = new TreeMap<>();
        CpuUse cpu = null;
        for (int i = 0; i < rounds.size(); i++) {
            LoadResult r = rounds.get(i).result();
            if (i > 0) {
                h.add(r.histogramNanos());
                if (lag != null && r.sendLagNanos() != null) {
                    lag.add(r.sendLagNanos());
                }
                if (fromSend != null && r.fromSendNanos() != null) {
                    fromSend.add(r.fromSendNanos());
                }
            }
            sent += r.sent();
            ok += r.ok();
            degraded += r.degraded();
            failed += r.failed();
            elapsed += r.elapsedSeconds();
            r.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
            r.degradations().forEach((k, v) -> degradations.merge(k, v, Long::sum));
            CpuUse c = rounds.get(i).cpu();
            cpu = c == null ? cpu : cpu == null ? c : cpu.plus(c);
        }
        return new Measured(new LoadResult(first.label(), first.spec(), sent, ok, degraded, failed, failures, degradations, elapsed, h,
                lag, fromSend, null), cpu);
    }
}
