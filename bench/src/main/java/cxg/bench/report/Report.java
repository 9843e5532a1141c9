package cxg.bench.report;

import cxg.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the measured runs into the report's JSON, Markdown and chart. */
final class Report {

    static final List<String> CHART_PATHS = List.of(ReportRunner.DIRECT, ReportRunner.HOP, ReportRunner.GW1);
    static final double[] CHART_PERCENTILES = {50, 90, 99};

    private final Map<String, Object> machine;
    private final ReportRunner.Timing timing;
    private final boolean quick;
    private final Map<String, LoadResult> closed;
    private final List<LoadResult> sweep;
    private final Map<String, LoadResult> noFsync;
    private final LoadResult profiled;
    private final JfrHotSpots hotSpots;
    private final String when = ReportRunner.now();

    Report(Map<String, Object> machine, ReportRunner.Timing timing, boolean quick, Map<String, LoadResult> closed,
           List<LoadResult> sweep, Map<String, LoadResult> noFsync, LoadResult profiled, JfrHotSpots hotSpots) {
        this.machine = machine;
        this.timing = timing;
        this.quick = quick;
        this.closed = closed;
        this.sweep = sweep;
        this.noFsync = noFsync;
        this.profiled = profiled;
        this.hotSpots = hotSpots;
    }

    private LoadResult c(String path, int concurrency) {
        return closed.get(path + "@" + concurrency);
    }

    private LoadResult atRate(String path, double rate) {
        return sweep.stream().filter(r -> r.label().equals(path) && r.spec().rate() == rate).findFirst().orElse(null);
    }

    private List<Double> rates() {
        return sweep.stream().map(r -> r.spec().rate()).distinct().sorted().toList();
    }

    /** The issue-6 targets: name, measured, limit, met. */
    List<Object[]> targets() {
        List<Object[]> t = new ArrayList<>();
        double ratio = c(ReportRunner.GW1, 64).throughput() / c(ReportRunner.HOP, 64).throughput();
        t.add(new Object[] {"throughput, 1 platform, 64 outstanding: gateway / bare hop", String.format(Locale.ROOT, "%.2f", ratio), "≥ 0.80", ratio >= 0.80});
        double added = c(ReportRunner.GW1, 1).percentileMicros(50) - c(ReportRunner.HOP, 1).percentileMicros(50);
        t.add(new Object[] {"median added to the bare hop at 1 outstanding call", String.format(Locale.ROOT, "%.0f µs", added), "≤ 300 µs", added <= 300});
        List<Double> rates = rates();
        if (rates.size() > 2) {
            double half = rates.get(2);
            LoadResult g = atRate(ReportRunner.GW1, half);
            LoadResult h = atRate(ReportRunner.HOP, half);
            double addedP99 = g.percentileMicros(99) - h.percentileMicros(99);
            t.add(new Object[] {String.format(Locale.ROOT, "p99 added to the bare hop at half the gateway's maximum (%.0f req/s offered)", half),
                    String.format(Locale.ROOT, "%.2f ms", addedP99 / 1000), "≤ 2 ms", addedP99 <= 2000});
        }
        return t;
    }

    /**
     * What the durable audit write adds to a query (issue 5): the gateway (1 platform) with its audit entries
     * fsync'd (the runs above) against the same gateway whose audit store does not force them to disk.
     * Rows: what, fsync'd µs, not fsync'd µs, added µs. Empty when the second gateway was not measured.
     */
    List<Object[]> auditWrite() {
        List<Object[]> rows = new ArrayList<>();
        LoadResult one = noFsync.get(ReportRunner.GW1_NO_FSYNC + "@1");
        LoadResult half = noFsync.get(ReportRunner.GW1_NO_FSYNC + "@half");
        LoadResult fsyncOne = c(ReportRunner.GW1, 1);
        if (one != null && fsyncOne != null) {
            for (double p : new double[] {50, 99}) {
                rows.add(new Object[] {"p" + fmtPct(p) + " at 1 outstanding", fsyncOne.percentileMicros(p), one.percentileMicros(p)});
            }
        }
        LoadResult fsyncHalf = half == null ? null : atRate(ReportRunner.GW1, half.spec().rate());
        if (fsyncHalf != null) {
            rows.add(new Object[] {String.format(Locale.ROOT, "p99 at half load (%.0f req/s offered)", half.spec().rate()),
                    fsyncHalf.percentileMicros(99), half.percentileMicros(99)});
        }
        return rows;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generatedAt", when);
        m.put("quick", quick);
        m.put("machine", machine);
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("jitWarmupSeconds", timing.jitWarmup().toSeconds());
        setup.put("closedWarmupSeconds", timing.closedWarmup().toSeconds());
        setup.put("closedMeasureSeconds", timing.closedMeasure().toSeconds());
        setup.put("sweepWarmupSeconds", timing.sweepWarmup().toSeconds());
        setup.put("sweepMeasureSeconds", timing.sweepMeasure().toSeconds());
        setup.put("platformStandIn", "cxg.bench.platform.FastPlatform (JDK HttpServer; parses each request body, answers the demo subject's rating from memory)");
        setup.put("tokens", machine.get("tokens"));
        setup.put("query", "court, court-enforcement, FULL disclosure, subject 11010519491231002X");
        m.put("setup", setup);
        List<Object> cl = new ArrayList<>();
        closed.values().forEach(r -> cl.add(r.toJson()));
        m.put("closedModel", cl);
        List<Object> sw = new ArrayList<>();
        sweep.forEach(r -> sw.add(r.toJson()));
        m.put("rateSweep", sw);
        List<Object> ts = new ArrayList<>();
        for (Object[] t : targets()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("target", t[0]);
            x.put("measured", t[1]);
            x.put("limit", t[2]);
            x.put("met", t[3]);
            ts.add(x);
        }
        m.put("targets", ts);
        if (!noFsync.isEmpty()) {
            Map<String, Object> audit = new LinkedHashMap<>();
            audit.put("what", "gateway (1 platform) with audit entries fsync'd (cxg.audit.fsync=true, the runs above) "
                    + "against the same gateway with cxg.audit.fsync=false (written, not forced to disk)");
            List<Object> added = new ArrayList<>();
            for (Object[] r : auditWrite()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("measure", r[0]);
                x.put("fsyncMicros", r[1]);
                x.put("noFsyncMicros", r[2]);
                x.put("auditWriteAddsMicros", (double) r[1] - (double) r[2]);
                added.add(x);
            }
            audit.put("added", added);
            List<Object> runs = new ArrayList<>();
            noFsync.values().forEach(r -> runs.add(r.toJson()));
            audit.put("noFsyncRuns", runs);
            m.put("auditWrite", audit);
        }
        m.put("allCallsClean", clean());
        if (profiled != null) {
            m.put("profiledRun", profiled.toJson());
        }
        if (hotSpots != null) {
            m.put("gatewayProfile", hotSpots.toJson());
        }
        return m;
    }

    String chart() {
        List<SvgChart.Series> series = new ArrayList<>();
        List<Double> rates = rates();
        List<String> pct = new ArrayList<>();
        for (double p : CHART_PERCENTILES) {
            pct.add("p" + fmtPct(p));
        }
        for (String path : CHART_PATHS) {
            for (double p : CHART_PERCENTILES) {
                double[] xs = new double[rates.size()];
                double[] ys = new double[rates.size()];
                for (int i = 0; i < rates.size(); i++) {
                    LoadResult r = atRate(path, rates.get(i));
                    xs[i] = rates.get(i);
                    ys[i] = r == null ? Double.NaN : r.percentileMicros(p) / 1000;
                }
                series.add(new SvgChart.Series(path, "p" + fmtPct(p), xs, ys));
            }
        }
        return SvgChart.render("cxg: latency vs offered load (" + when + ")", CHART_PATHS, pct, series);
    }

    String markdown() {
        StringBuilder s = new StringBuilder();
        @SuppressWarnings("unchecked")
        Map<String, Object> q = (Map<String, Object>) machine.get("quietness");
        boolean quiet = Boolean.TRUE.equals(q.get("quiet"));
        s.append("# cxg benchmark report — ").append(when).append("\n\n");
        if (quick) {
            s.append("> **Smoke run (`--quick`)**: seconds-long runs that check the tooling; not a measurement.\n\n");
        }
        if (!quiet) {
            s.append(String.format(Locale.ROOT, "> **NOT A VALID MEASUREMENT: the machine was not quiet.** Other processes used %.0f%% of the CPU "
                    + "during the run (%.0f%% just before it). Re-run `./cxg bench report` on an idle machine.%n%n",
                    100 * (double) q.get("otherProcessesShare"), 100 * (double) q.get("backgroundCpuBeforeStart")));
        }
        s.append("Produced by `./cxg bench report` (see BENCHMARKS.md). Raw numbers: `results.json`.\n\n");
        s.append("## Machine\n\n| | |\n|---|---|\n");
        for (String k : List.of("nproc", "cpuModel", "memTotal", "jdk", "os", "loadAverageAtStart", "gatewayJavaOpts", "serverJavaOpts")) {
            s.append("| ").append(k).append(" | ").append(machine.get(k)).append(" |\n");
        }
        s.append(String.format(Locale.ROOT, "| CPU used by other processes during the run | %.1f of %.0f CPU-seconds (%.0f%%) |%n",
                (double) q.get("cpuSecondsUsedByOtherProcesses"), (double) q.get("cpuSecondsAvailable"),
                100 * (double) q.get("otherProcessesShare")));
        s.append(String.format(Locale.ROOT, "| run time | %.0f s |%n%n", (double) q.get("wallSeconds")));
        s.append("Everything on 127.0.0.1 with mutual TLS on every gRPC hop; the load generator shares the CPUs with the servers. ")
                .append("Platform REST stand-in: `cxg.bench.platform.FastPlatform` (JDK HttpServer; parses each request, answers the demo subject's rating from memory), not WireMock. ")
                .append("Paths: **direct** = `ScorerService/GetScore` to the alpha-credit scorer connector; **bare hop** = the same through ")
                .append("`cxg.bench.hop.ForwardingHop`; **gateway** = `QueryService/QueryScore` (court, court-enforcement, FULL) through the ")
                .append("cxg gateway, whose policy lists one platform (alpha-credit) or two (alpha-credit, beta-score). ")
                .append("Tokens: ").append(machine.get("tokens")).append(". Every path first gets ")
                .append(timing.jitWarmup().toSeconds()).append(" s of unmeasured calls at 64 outstanding (JIT warm-up).\n\n");
        s.append(String.format(Locale.ROOT, "## Closed model (fixed outstanding calls; %d s warm-up, %d s measured)%n%n",
                timing.closedWarmup().toSeconds(), timing.closedMeasure().toSeconds()));
        s.append("| path | outstanding | throughput (req/s) | p50 µs | p90 µs | p99 µs | p99.9 µs | ok / degraded / failed |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (int conc : new int[] {1, 64}) {
            for (String path : List.of(ReportRunner.DIRECT, ReportRunner.HOP, ReportRunner.GW1, ReportRunner.GW2)) {
                LoadResult r = c(path, conc);
                if (r != null) {
                    s.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %d / %d / %d |%n", path, conc,
                            r.throughput(), r.percentileMicros(50), r.percentileMicros(90), r.percentileMicros(99),
                            r.percentileMicros(99.9), r.ok(), r.degraded(), r.failed()));
                }
            }
        }
        s.append("\n## Ratios\n\n| | 1 outstanding | 64 outstanding |\n|---|---:|---:|\n");
        ratioRow(s, "throughput: bare hop / direct", ReportRunner.HOP, ReportRunner.DIRECT);
        ratioRow(s, "throughput: gateway (1 platform) / direct", ReportRunner.GW1, ReportRunner.DIRECT);
        ratioRow(s, "throughput: gateway (1 platform) / bare hop", ReportRunner.GW1, ReportRunner.HOP);
        ratioRow(s, "throughput: gateway (2 platforms) / direct", ReportRunner.GW2, ReportRunner.DIRECT);
        ratioRow(s, "throughput: gateway (2 platforms) / bare hop", ReportRunner.GW2, ReportRunner.HOP);
        addedRow(s, "p50 added to direct by the bare hop (µs)", ReportRunner.HOP, ReportRunner.DIRECT);
        addedRow(s, "p50 added to the bare hop by the gateway, 1 platform (µs)", ReportRunner.GW1, ReportRunner.HOP);
        addedRow(s, "p50 added to the bare hop by the gateway, 2 platforms (µs)", ReportRunner.GW2, ReportRunner.HOP);
        s.append("\n## Targets (issue 6)\n\n| target | measured | limit | met |\n|---|---:|---:|---|\n");
        boolean valid = quiet && !quick && targetRunsClean();
        for (Object[] t : targets()) {
            s.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" | ")
                    .append(!valid ? "n/a (not a valid measurement)" : (Boolean) t[3] ? "yes" : "**no**").append(" |\n");
        }
        if (!targetRunsClean()) {
            s.append("\nSome calls the targets are measured from were degraded or failed (see the ok / degraded / failed columns): the figures are not clean.\n");
        } else if (!clean()) {
            s.append("\nAbove half load some calls were degraded or failed (the open-model table below): the machine was overloaded there. ")
                    .append("The targets are measured from the closed runs and the points up to half load, which were all answered OK.\n");
        }
        s.append(String.format(Locale.ROOT, "%n## Latency vs offered load (open model; %d s warm-up, %d s measured per point)%n%n",
                timing.sweepWarmup().toSeconds(), timing.sweepMeasure().toSeconds()));
        s.append("Offered rates are fractions (").append(fractions()).append(") of the gateway's closed-model throughput at 64 outstanding. ")
                .append("Latency counts from each call's scheduled start (no coordinated omission).\n\n");
        s.append("![latency vs offered load](latency-vs-load.svg)\n\n");
        s.append("| offered req/s | path | achieved req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | ok / degraded / failed |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|---|\n");
        for (LoadResult r : sweep) {
            s.append(String.format(Locale.ROOT, "| %,.0f | %s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %d / %d / %d |%n", r.spec().rate(),
                    r.label(), r.throughput(), r.percentileMicros(50), r.percentileMicros(90), r.percentileMicros(99),
                    r.percentileMicros(99.9), r.ok(), r.degraded(), r.failed()));
        }
        List<Object[]> audit = auditWrite();
        if (!audit.isEmpty()) {
            s.append("\n## What the audit write adds to a query (issue 5)\n\n")
                    .append("The gateway (1 platform) as above, whose audit entries are fsync'd before each answer, against the same ")
                    .append("gateway started again with `-Dcxg.audit.fsync=false` (entries written, not forced to disk; benchmarks only), ")
                    .append("measured after the runs above with the same warm-up and durations. Latency in µs.\n\n");
            s.append("| | audit fsync'd | not fsync'd | audit write adds |\n|---|---:|---:|---:|\n");
            for (Object[] r : audit) {
                s.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f |%n", r[0], (double) r[1], (double) r[2],
                        (double) r[1] - (double) r[2]));
            }
            for (LoadResult r : noFsync.values()) {
                if (!r.clean()) {
                    s.append(String.format(Locale.ROOT, "%nThe not-fsync'd run \"%s\" had %d degraded and %d failed calls: not clean.%n",
                            r.spec().model() == cxg.bench.load.LoadSpec.Model.CLOSED ? "1 outstanding" : "half load", r.degraded(), r.failed()));
                }
            }
        }
        if (hotSpots != null) {
            s.append(String.format(Locale.ROOT, "%n## Gateway profile (JFR, settings=profile, %d s at 64 outstanding, %d execution samples)%n%n",
                    timing.profile().toSeconds(), hotSpots.samples()));
            if (profiled != null) {
                s.append(String.format(Locale.ROOT, "Throughput while recording: %,.0f req/s.%n%n", profiled.throughput()));
            }
            hotTable(s, "Top frames (self time)", "method", hotSpots.topFrames(), hotSpots.samples());
            hotTable(s, "By package of the top frame", "package", hotSpots.topPackages(), hotSpots.samples());
            hotTable(s, "cxg code on the stack (inclusive)", "method", hotSpots.cxgInclusive(), hotSpots.samples());
        }
        return s.toString();
    }

    /**
     * The runs the targets are measured from (the closed runs and the open-model points up to half load)
     * answered every call with every platform OK. Points beyond half load may overload the machine; that
     * is what they show, and it does not void the targets.
     */
    boolean targetRunsClean() {
        List<Double> rates = rates();
        double half = rates.size() > 2 ? rates.get(2) : Double.MAX_VALUE;
        return closed.values().stream().allMatch(LoadResult::clean)
                && sweep.stream().filter(r -> r.spec().rate() <= half).allMatch(LoadResult::clean);
    }

    /** Every measured call answered with every platform OK. */
    boolean clean() {
        return closed.values().stream().allMatch(LoadResult::clean) && sweep.stream().allMatch(LoadResult::clean)
                && noFsync.values().stream().allMatch(LoadResult::clean);
    }

    private String fractions() {
        StringBuilder f = new StringBuilder();
        for (double x : ReportRunner.SWEEP) {
            f.append(f.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
        }
        return f.toString();
    }

    private void ratioRow(StringBuilder s, String name, String a, String b) {
        s.append("| ").append(name);
        for (int conc : new int[] {1, 64}) {
            LoadResult x = c(a, conc);
            LoadResult y = c(b, conc);
            s.append(x == null || y == null ? " | – " : String.format(Locale.ROOT, " | %.2f", x.throughput() / y.throughput()));
        }
        s.append(" |\n");
    }

    private void addedRow(StringBuilder s, String name, String a, String b) {
        s.append("| ").append(name);
        for (int conc : new int[] {1, 64}) {
            LoadResult x = c(a, conc);
            LoadResult y = c(b, conc);
            s.append(x == null || y == null ? " | – "
                    : String.format(Locale.ROOT, " | %,.0f", x.percentileMicros(50) - y.percentileMicros(50)));
        }
        s.append(" |\n");
    }

    private static void hotTable(StringBuilder s, String title, String what, Map<String, Long> counts, long total) {
        s.append("**").append(title).append("**\n\n| ").append(what).append(" | samples | share |\n|---|---:|---:|\n");
        counts.forEach((k, v) -> s.append(String.format(Locale.ROOT, "| `%s` | %d | %.1f%% |%n", k, v, 100.0 * v / Math.max(1, total))));
        s.append('\n');
    }

    private static String fmtPct(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
