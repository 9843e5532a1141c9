package cxg.bench.report;

import cxg.bench.load.LoadResult;
import cxg.bench.load.Timeline;
import cxg.bench.report.Rounds.Measured;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the half-load rounds' latency stalls came from: every stretch of a round in which some call took
 * {@link #THRESHOLD_MILLIS} or more (from its due time), matched with what every process of the run logged at the same
 * wall-clock time — its stop-the-world pauses (GC and other safepoints) and JIT activity ({@link JvmLog}), the audit
 * writer's file forces ({@code jdk.FileForce} of the fsync'd gateway), the disk's flush times ({@link DiskSampler}) —
 * and with the load generator's own send lag. Nothing here changes a figure: it names what the figures contain.
 */
final class Stalls {

    static final long THRESHOLD_MILLIS = 25;
    private static final java.time.format.DateTimeFormatter CLOCK =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneOffset.UTC);
    /** Pauses, file forces and flush times shorter than this are not named as a cause. */
    static final double EVIDENCE_MILLIS = 5;

    /** A file force ({@code fsync}/{@code fdatasync}) of one process that took {@code millis}. */
    record Force(String process, long startEpochMillis, double millis, String path) {
    }

    /** One stall of one round of one path, with what overlapped it. */
    record Stall(String path, int round, Timeline.Stall window, List<String> overlaps, String cause) {
    }

    private final Map<String, List<Measured>> half;
    private final List<JvmLog.Pause> pauses;
    private final List<JvmLog.Jit> jit;
    private final List<Force> forces;
    private final List<DiskSampler.Interval> disk;

    /**
     * @param half per path, its half-load rounds in order (each result with a timeline)
     */
    Stalls(Map<String, List<Measured>> half, List<JvmLog.Pause> pauses, List<JvmLog.Jit> jit, List<Force> forces,
           List<DiskSampler.Interval> disk) {
        this.half = half;
        this.pauses = pauses;
        this.jit = jit;
        this.forces = forces;
        this.disk = disk;
    }

    /** The measured windows of all half-load rounds, as epoch-millisecond [start, end) pairs. */
    private List<long[]> windows() {
        List<long[]> w = new ArrayList<>();
        half.values().forEach(rounds -> rounds.forEach(m -> {
            Timeline t = m.result().timeline();
            if (t != null) {
                // the last slice runs past the schedule's end; the run ends when its last call has completed
                w.add(new long[] {t.startEpochMillis(), Math.min(t.startEpochMillis() + (long) t.slices() * Timeline.BUCKET_MILLIS,
                        t.finishedEpochMillis())});
            }
        }));
        return w;
    }

    private static boolean overlaps(long start, long end, long from, long to) {
        return start < to && end > from;
    }

    List<Stall> stalls() {
        List<Stall> out = new ArrayList<>();
        half.forEach((path, rounds) -> {
            for (int i = 0; i < rounds.size(); i++) {
                Timeline t = rounds.get(i).result().timeline();
                if (t == null) {
                    continue;
                }
                for (Timeline.Stall s : t.stalls(THRESHOLD_MILLIS * 1_000_000)) {
                    out.add(explain(path, i + 1, s, t.finishedEpochMillis()));
                }
            }
        });
        out.sort(Comparator.comparingLong((Stall s) -> s.window().startEpochMillis()));
        return out;
    }

    /**
     * What overlapped a stall: calls due in {@code [start, end)} that took up to {@code max} were in flight until
     * {@code end + max} (and no later than the run's last completion), so whatever held them happened in
     * {@code [start, end + max)}.
     */
    private Stall explain(String path, int round, Timeline.Stall s, long finished) {
        double maxMillis = s.maxLatencyNanos() / 1e6;
        long from = s.startEpochMillis();
        long to = Math.min(s.endEpochMillis() + Math.round(maxMillis), finished);
        List<String> found = new ArrayList<>();
        String cause = null;
        double best = 0;
        double lag = s.maxSendLagNanos() / 1e6;
        if (lag >= EVIDENCE_MILLIS) {
            found.add(String.format(Locale.ROOT, "load generator sent %.0f ms late", lag));
            best = lag;
            cause = "load generator (send lag)";
        }
        Map<String, List<JvmLog.Pause>> paused = new TreeMap<>();
        for (JvmLog.Pause p : pauses) {
            if (p.millis() >= EVIDENCE_MILLIS && overlaps(p.startEpochMillis(), p.endEpochMillis(), from, to)) {
                paused.computeIfAbsent(p.process(), k -> new ArrayList<>()).add(p);
                if (p.millis() > best) {
                    best = p.millis();
                    cause = p.process() + " pause (" + p.operation() + ")";
                }
            }
        }
        paused.forEach((process, list) -> {
            JvmLog.Pause longest = list.stream().max(Comparator.comparingDouble(JvmLog.Pause::millis)).orElseThrow();
            found.add(list.size() == 1
                    ? String.format(Locale.ROOT, "%s paused %.0f ms (%s)", process, longest.millis(), longest.operation())
                    : String.format(Locale.ROOT, "%s paused %d times ≥ %.0f ms, %.0f ms in all, longest %.0f ms (%s)", process, list.size(),
                            EVIDENCE_MILLIS, list.stream().mapToDouble(JvmLog.Pause::millis).sum(), longest.millis(), longest.operation()));
        });
        Map<String, double[]> forced = new TreeMap<>();
        Map<String, String> forcedFile = new TreeMap<>();
        for (Force f : forces) {
            long fEnd = f.startEpochMillis() + Math.round(f.millis());
            if (f.millis() >= EVIDENCE_MILLIS && overlaps(f.startEpochMillis(), fEnd, from, to)) {
                double[] v = forced.computeIfAbsent(f.process(), k -> new double[2]);
                v[0]++;
                if (f.millis() > v[1]) {
                    v[1] = f.millis();
                    forcedFile.put(f.process(), f.path());
                }
                if (f.millis() > best) {
                    best = f.millis();
                    cause = f.process() + " file force (" + f.path() + ")";
                }
            }
        }
        forced.forEach((p, v) -> found.add(String.format(Locale.ROOT, "%s: %.0f file force%s ≥ %.0f ms, longest %.0f ms (%s)", p, v[0],
                v[0] == 1 ? "" : "s", EVIDENCE_MILLIS, v[1], forcedFile.get(p))));
        double flush = 0;
        long inFlight = 0;
        for (DiskSampler.Interval d : disk) {
            if (overlaps(d.endEpochMillis() - DiskSampler.PERIOD_MILLIS, d.endEpochMillis(), from, to)) {
                if (d.flushes() > 0) {
                    flush = Math.max(flush, d.meanFlushMillis());
                }
                inFlight = Math.max(inFlight, d.inFlight());
            }
        }
        if (flush >= EVIDENCE_MILLIS) {
            found.add(String.format(Locale.ROOT, "disk flushes %.0f ms on average in a 100 ms interval, %d requests in flight", flush, inFlight));
            if (cause == null) {
                cause = "disk (slow flushes)";
            }
        }
        Map<String, Integer> compiled = new TreeMap<>();
        for (JvmLog.Jit j : jit) {
            if (j.epochMillis() >= from && j.epochMillis() < to) {
                compiled.merge(j.process(), 1, Integer::sum);
            }
        }
        if (!compiled.isEmpty()) {
            found.add("JIT events " + compiled);
        }
        // a cause is named only if it is at least a third of the stall
        if (cause != null && best > 0 && best < maxMillis / 3 && !cause.startsWith("disk")) {
            cause = null;
        }
        return new Stall(path, round, s, found, cause == null ? "nothing logged (host or scheduler)" : cause);
    }

    /** Per process: pauses of {@link #EVIDENCE_MILLIS} or more, all pauses' total and longest, JIT events, inside the measured windows. */
    Map<String, long[]> perProcess() {
        List<long[]> w = windows();
        Map<String, long[]> m = new TreeMap<>();
        for (JvmLog.Pause p : pauses) {
            if (w.stream().anyMatch(x -> overlaps(p.startEpochMillis(), p.endEpochMillis(), x[0], x[1]))) {
                long[] v = m.computeIfAbsent(p.process(), k -> new long[5]);
                v[0] += p.millis() >= EVIDENCE_MILLIS ? 1 : 0;
                v[1] += Math.round(p.millis() * 1000);
                v[2] = Math.max(v[2], Math.round(p.millis() * 1000));
            }
        }
        for (JvmLog.Jit j : jit) {
            if (w.stream().anyMatch(x -> j.epochMillis() >= x[0] && j.epochMillis() < x[1])) {
                long[] v = m.computeIfAbsent(j.process(), k -> new long[5]);
                v[j.madeNotEntrant() ? 4 : 3]++;
            }
        }
        return m;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("\n## Half load: per round, and where the stalls came from\n\n");
        md.append("Each half-load round of each path (open model; latency from each call's due time). *Send lag* is how late the ")
                .append("load generator itself sent a call after its due time (its own GC or scheduling); it is part of the latency. ")
                .append("See BENCHMARKS.md, \"How to read the report\".\n\n");
        md.append("| round | path | p50 µs | p99 µs | max µs | send lag p99 / max µs | p99 from the actual send µs |\n")
                .append("|---|---|---:|---:|---:|---:|---:|\n");
        int rounds = half.values().stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < rounds; i++) {
            for (Map.Entry<String, List<Measured>> e : half.entrySet()) {
                if (i < e.getValue().size()) {
                    LoadResult r = e.getValue().get(i).result();
                    md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %,.0f | %,.0f / %,.0f | %,.0f |%n", i + 1, e.getKey(),
                            r.percentileMicros(50), r.percentileMicros(99), r.maxMicros(), r.sendLagMicros(99), r.sendLagMicros(100),
                            r.fromSendMicros(99)));
                }
            }
        }
        md.append("\nInside the half-load measured windows, per process of the run (from `-Xlog:").append(JvmLog.WHAT)
                .append("` of every JVM; the load generator is the report's own JVM):\n\n")
                .append("| process | pauses ≥ 5 ms | all pauses, ms in all | longest pause ms | JIT compilations | made not entrant |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        perProcess().forEach((p, v) -> md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %d | %d |%n", p, v[0], v[1] / 1000.0,
                v[2] / 1000.0, v[3], v[4])));
        List<Stall> stalls = stalls();
        md.append(String.format(Locale.ROOT, "%nStalls: stretches of a round in which a call took %d ms or more (100 ms slices of the "
                + "schedule), with every logged pause, file force (≥ %.0f ms) and disk flush time overlapping them:%n%n", THRESHOLD_MILLIS, EVIDENCE_MILLIS));
        if (stalls.isEmpty()) {
            md.append("none.\n");
            return md.toString();
        }
        md.append("| at (UTC) | path, round | length ms | max latency ms | likely cause | overlapping |\n|---|---|---:|---:|---|---|\n");
        for (Stall s : stalls) {
            md.append(String.format(Locale.ROOT, "| %s | %s, %d | %d | %.1f | %s | %s |%n",
                    CLOCK.format(java.time.Instant.ofEpochMilli(s.window().startEpochMillis())), s.path(), s.round(),
                    s.window().endEpochMillis() - s.window().startEpochMillis(), s.window().maxLatencyNanos() / 1e6, s.cause(),
                    s.overlaps().isEmpty() ? "—" : String.join("; ", s.overlaps())));
        }
        return md.toString();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("thresholdMillis", THRESHOLD_MILLIS);
        Map<String, Object> procs = new LinkedHashMap<>();
        perProcess().forEach((p, v) -> procs.put(p, Map.of("pausesOver5ms", v[0], "pauseMillisTotal", v[1] / 1000.0,
                "longestPauseMillis", v[2] / 1000.0, "jitCompilations", v[3], "madeNotEntrant", v[4])));
        m.put("perProcess", procs);
        List<Object> list = new ArrayList<>();
        for (Stall s : stalls()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("path", s.path());
            x.put("round", s.round());
            x.put("startEpochMillis", s.window().startEpochMillis());
            x.put("lengthMillis", s.window().endEpochMillis() - s.window().startEpochMillis());
            x.put("maxLatencyMillis", s.window().maxLatencyNanos() / 1e6);
            x.put("maxSendLagMillis", s.window().maxSendLagNanos() / 1e6);
            x.put("cause", s.cause());
            x.put("overlapping", s.overlaps());
            list.add(x);
        }
        m.put("stalls", list);
        Map<String, Object> series = new LinkedHashMap<>();
        half.forEach((path, rounds) -> {
            List<Object> rs = new ArrayList<>();
            for (Measured r : rounds) {
                Timeline t = r.result().timeline();
                if (t == null) {
                    continue;
                }
                List<Double> max = new ArrayList<>();
                List<Double> lag = new ArrayList<>();
                for (int i = 0; i < t.slices(); i++) {
                    max.add(Math.round(t.maxLatencyNanos(i) / 1e4) / 100.0);
                    lag.add(Math.round(t.maxSendLagNanos(i) / 1e4) / 100.0);
                }
                rs.add(Map.of("startEpochMillis", t.startEpochMillis(), "sliceMillis", Timeline.BUCKET_MILLIS,
                        "maxLatencyMillis", max, "maxSendLagMillis", lag));
            }
            series.put(path, rs);
        });
        m.put("timelines", series);
        return m;
    }
}
