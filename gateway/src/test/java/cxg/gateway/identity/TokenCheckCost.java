package cxg.gateway.identity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import cxg.gateway.audit.bench.AuditBenchmark;
import cxg.gateway.testing.BenchArgs;

/**
 * The token check's cost for the benchmark report ({@code ./cxg bench report}), against issue 4's target: the token
 * check adds at most 100 µs to a call's median. The calls of {@link TokenBenchFixture} (without the token check,
 * with it as the gateway runs it, with every token verified in full) run in one JVM, one at a time from one thread:
 * a warm-up, then interleaved rounds, each call path for the same short time per round, the order reversed every
 * other round, so that a slow stretch of the machine or a late JIT compilation hits all paths alike. The target is the
 * median of the rounds' differences of the p50s. Then the verifier alone. Writes {@code tokens.json} and
 * {@code tokens.md}; exits 0, or 2 on bad arguments.
 *
 * <p>Why not JMH ({@link TokenBenchmark}) in the report: its fork per benchmark starts each call path in a cold JVM,
 * and in the report's short settings the call paths were still getting faster in every iteration (2026-11-28: p50s of
 * 3.1, 1.5 and 1.2 ms in a row), so their difference measured JIT warm-up, not the token check; and five forks took a
 * minute.
 */
public final class TokenCheckCost {

    static final double TARGET_MICROS = 100;

    /** What is timed, one call or one verification at a time. */
    enum Op {
        WITHOUT("callWithoutTokenCheck", "call, certificate check only (the baseline)"),
        REMEMBERED("callWithTokenCheck", "call + token check as the gateway runs it (verified tokens remembered)"),
        IN_FULL("callWithTokenCheckUncached", "call + token check verifying every token in full"),
        VERIFY_REMEMBERED("verifyRemembered", "the verifier alone, a remembered token"),
        VERIFY_IN_FULL("verifyInFull", "the verifier alone, in full: JSON, RSA signature, claims");

        static final List<Op> CALLS = List.of(WITHOUT, REMEMBERED, IN_FULL);

        /** The JSON key: the name of the same measurement in the JMH {@link TokenBenchmark}. */
        final String key;
        final String label;

        Op(String key, String label) {
            this.key = key;
            this.label = label;
        }
    }

    /** How long each part runs. */
    record Timing(int warmupRounds, Duration warmupSlice, int rounds, Duration perRound, Duration verifier) {
        static final Timing FULL = new Timing(8, Duration.ofMillis(500), 7, Duration.ofMillis(800), Duration.ofSeconds(1));
        static final Timing QUICK = new Timing(1, Duration.ofMillis(100), 2, Duration.ofMillis(100), Duration.ofMillis(100));
    }

    private TokenCheckCost() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a;
        try {
            a = BenchArgs.parse(new BenchArgs(), args);
        } catch (picocli.CommandLine.ParameterException e) {
            System.err.println("token bench: " + e.getMessage() + " (usage: TokenCheckCost --out DIR [--quick])");
            System.exit(2);
            return;
        }
        Path out = Files.createDirectories(a.out());
        Map<String, Object> results = run(a.quick() ? Timing.QUICK : Timing.FULL, a.quick());
        Files.writeString(out.resolve("tokens.json"), AuditBenchmark.Json.write(results) + "\n");
        Files.writeString(out.resolve("tokens.md"), markdown(results));
        System.out.println("token bench: wrote " + out.resolve("tokens.json") + " and " + out.resolve("tokens.md"));
        System.exit(0);
    }

    private static Map<String, Object> run(Timing timing, boolean quick) throws Exception {
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        long t0 = System.nanoTime();
        Map<Op, long[][]> calls = new EnumMap<>(Op.class);
        Map<Op, long[]> verifier = new EnumMap<>(Op.class);
        try (TokenBenchFixture fixture = TokenBenchFixture.open()) {
            System.out.printf(Locale.ROOT, "token bench: servers up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            // the calls exercise the verifier's code too (remembered, and in full); the loop around it alone warms below
            for (int r = 0; r < timing.warmupRounds(); r++) {
                for (Op op : Op.CALLS) {
                    time(fixture, op, timing.warmupSlice());
                }
            }
            System.out.printf(Locale.ROOT, "token bench: warmed up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (Op op : Op.CALLS) {
                calls.put(op, new long[timing.rounds()][]);
            }
            for (int r = 0; r < timing.rounds(); r++) {
                List<Op> order = new ArrayList<>(Op.CALLS);
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Op op : order) {
                    calls.get(op)[r] = time(fixture, op, timing.perRound());
                }
                StringBuilder line = new StringBuilder("token bench: round " + (r + 1) + "/" + timing.rounds() + ", p50 µs:");
                for (Op op : Op.CALLS) {
                    line.append(String.format(Locale.ROOT, " %s %.1f", op.key, micros(percentile(calls.get(op)[r], 50))));
                }
                System.out.println(line);
            }
            for (Op op : List.of(Op.VERIFY_REMEMBERED, Op.VERIFY_IN_FULL)) {
                time(fixture, op, timing.warmupSlice());
                verifier.put(op, time(fixture, op, timing.verifier()));
            }
        }
        Map<String, Object> results = summarize(calls, verifier, quick);
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("started", started.toString());
        head.put("cores", Runtime.getRuntime().availableProcessors());
        head.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        head.put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
        head.put("quick", quick);
        head.put("warmupRounds", timing.warmupRounds());
        head.put("warmupSliceMillis", timing.warmupSlice().toMillis());
        head.put("rounds", timing.rounds());
        head.put("perRoundMillis", timing.perRound().toMillis());
        head.put("verifierMillis", timing.verifier().toMillis());
        head.putAll(results);
        return head;
    }

    /** Nanoseconds of each operation, one after another, for {@code span}. */
    private static long[] time(TokenBenchFixture fixture, Op op, Duration span) {
        long[] samples = new long[1024];
        int n = 0;
        long end = System.nanoTime() + span.toNanos();
        long now;
        do {
            long start = System.nanoTime();
            switch (op) {
                case WITHOUT -> fixture.callWithoutTokenCheck();
                case REMEMBERED -> fixture.callWithTokenCheck();
                case IN_FULL -> fixture.callWithTokenCheckUncached();
                case VERIFY_REMEMBERED -> fixture.verifyRemembered();
                case VERIFY_IN_FULL -> fixture.verifyInFull();
            }
            now = System.nanoTime();
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, n * 2);
            }
            samples[n++] = now - start;
        } while (now < end);
        return Arrays.copyOf(samples, n);
    }

    /**
     * The figures of a run: per call path its calls, pooled percentiles and each round's p50; what the token check adds
     * to the median (the rounds' p50 differences against the baseline: their median and range); the verifier's
     * percentiles; and the target, not judged ({@code met} null) in a quick run.
     */
    static Map<String, Object> summarize(Map<Op, long[][]> calls, Map<Op, long[]> verifier, boolean quick) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Op op : Op.CALLS) {
            long[][] rounds = calls.get(op);
            Map<String, Object> p = percentiles(op, concat(rounds));
            List<Object> perRound = new ArrayList<>();
            for (long[] round : rounds) {
                perRound.add(round1(micros(percentile(round, 50))));
            }
            p.put("p50PerRoundMicros", perRound);
            paths.put(op.key, p);
        }
        out.put("calls", paths);
        Map<String, Object> added = new LinkedHashMap<>();
        for (Op op : List.of(Op.REMEMBERED, Op.IN_FULL)) {
            added.put(op.key, addedToMedian(calls.get(Op.WITHOUT), calls.get(op)));
        }
        out.put("addedToMedianMicros", added);
        Map<String, Object> alone = new LinkedHashMap<>();
        verifier.forEach((op, samples) -> alone.put(op.key, percentiles(op, samples)));
        out.put("verifier", alone);
        @SuppressWarnings("unchecked")
        Map<String, Object> remembered = (Map<String, Object>) added.get(Op.REMEMBERED.key);
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("target", "median added to a call by the token check, verified tokens remembered (median of the rounds' differences)");
        target.put("issue", "issue 4: <= 100 µs median");
        target.put("limit", TARGET_MICROS);
        target.put("value", remembered.get("median"));
        target.put("unit", "µs");
        target.put("met", quick ? null : (Double) remembered.get("median") <= TARGET_MICROS);
        out.put("targets", List.of(target));
        return out;
    }

    /** Median, lowest and highest of the rounds' differences of the p50s, {@code path} minus {@code baseline}. */
    private static Map<String, Object> addedToMedian(long[][] baseline, long[][] path) {
        double[] diffs = new double[baseline.length];
        for (int r = 0; r < diffs.length; r++) {
            diffs[r] = micros(percentile(path[r], 50)) - micros(percentile(baseline[r], 50));
        }
        double[] sorted = diffs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", round1(median));
        m.put("min", round1(sorted[0]));
        m.put("max", round1(sorted[n - 1]));
        List<Object> perRound = new ArrayList<>();
        for (double d : diffs) {
            perRound.add(round1(d));
        }
        m.put("perRound", perRound);
        return m;
    }

    private static Map<String, Object> percentiles(Op op, long[] samples) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", op.label);
        m.put("count", samples.length);
        m.put("p50Micros", round2(micros(percentile(samples, 50))));
        m.put("p90Micros", round2(micros(percentile(samples, 90))));
        m.put("p99Micros", round2(micros(percentile(samples, 99))));
        return m;
    }

    /** The nearest-rank percentile {@code p} of {@code samples} (sorted here, in a copy). */
    static long percentile(long[] samples, double p) {
        long[] s = samples.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    private static long[] concat(long[][] rounds) {
        long[] all = new long[Arrays.stream(rounds).mapToInt(r -> r.length).sum()];
        int at = 0;
        for (long[] r : rounds) {
            System.arraycopy(r, 0, all, at, r.length);
            at += r.length;
        }
        return all;
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r) {
        StringBuilder md = new StringBuilder("# Token check cost\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s cores, %s; %s s. One JVM: three mutual-TLS loopback servers answering "
                        + "`QueryScore` trivially, behind the certificate check alone, with the token check as the gateway runs it, and "
                        + "with every token verified in full; calls one at a time from one thread, the same certificate-bound token "
                        + "(shaped like Keycloak's, RS256) on every call. Warm-up: %s rounds of %s ms per call path; then %s interleaved rounds "
                        + "of %s ms per call path (the order reversed every other round); then the verifier alone, %s ms each after "
                        + "%s ms unmeasured.%s%n%n",
                r.get("started"), r.get("cores"), r.get("java"), r.get("seconds"), r.get("warmupRounds"), r.get("warmupSliceMillis"),
                r.get("rounds"), r.get("perRoundMillis"), r.get("verifierMillis"), r.get("warmupSliceMillis"),
                Boolean.TRUE.equals(r.get("quick")) ? " **--quick: checks the tooling, measures nothing.**" : ""));
        md.append("## Calls (µs)\n\n| call | calls | p50 | p90 | p99 | p50 per round |\n|---|---:|---:|---:|---:|---|\n");
        for (Object o : ((Map<String, Object>) r.get("calls")).values()) {
            Map<String, Object> p = (Map<String, Object>) o;
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %s |%n", p.get("what"), p.get("count"),
                    p.get("p50Micros"), p.get("p90Micros"), p.get("p99Micros"), joined((List<Object>) p.get("p50PerRoundMicros"))));
        }
        Map<String, Object> calls = (Map<String, Object>) r.get("calls");
        Map<String, Object> added = (Map<String, Object>) r.get("addedToMedianMicros");
        md.append("\n## Added to the call's median by the token check (µs; median of the rounds' differences against the baseline, "
                + "lowest–highest)\n\n| token check | added | per round |\n|---|---:|---|\n");
        for (Map.Entry<String, Object> e : added.entrySet()) {
            Map<String, Object> a = (Map<String, Object>) e.getValue();
            md.append(String.format(Locale.ROOT, "| %s | %.1f (%.1f–%.1f) | %s |%n",
                    ((Map<String, Object>) calls.get(e.getKey())).get("what"), a.get("median"), a.get("min"), a.get("max"),
                    joined((List<Object>) a.get("perRound"))));
        }
        md.append("\n## The verifier alone (µs; each verification timed on its own, the clock's own cost included)\n\n| verification | count | p50 | p90 | p99 |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (Object o : ((Map<String, Object>) r.get("verifier")).values()) {
            Map<String, Object> p = (Map<String, Object>) o;
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f |%n", p.get("what"), p.get("count"),
                    p.get("p50Micros"), p.get("p90Micros"), p.get("p99Micros")));
        }
        md.append("\n## Target (issue 4)\n\n| target | measured | limit | met |\n|---|---:|---:|---|\n");
        for (Object o : (List<Object>) r.get("targets")) {
            Map<String, Object> t = (Map<String, Object>) o;
            Object met = t.get("met");
            md.append(String.format(Locale.ROOT, "| %s | %.1f µs | ≤ %.0f µs | %s |%n", t.get("target"), t.get("value"), t.get("limit"),
                    met == null ? "not judged (--quick)" : (Boolean) met ? "yes" : "**no**"));
        }
        return md.toString();
    }

    private static String joined(List<Object> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", (Double) v));
        }
        return sb.toString();
    }
}
