package cxg.bench.report;

import cxg.bench.load.CallTarget;
import cxg.bench.load.ClientChannels;
import cxg.bench.load.DurationConverter;
import cxg.bench.load.GrpcTargets;
import cxg.bench.load.LoadResult;
import cxg.bench.load.LoadRunner;
import cxg.bench.load.LoadSpec;
import cxg.bench.load.MemberTokens;
import cxg.pki.DevPki;
import cxg.v1.QueryServiceGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * {@code ./cxg bench report}: starts its own servers on free loopback ports (fast platform
 * stand-in, two scorer connectors, the bare hop, the gateway with one platform and then with
 * two), measures each path in the same run, and writes raw JSON, a Markdown report and an SVG
 * chart to {@code bench/results/<date>/}.
 */
public final class ReportRunner {

    /**
     * Offered loads of the open-model sweep, as fractions of the gateway's (one platform) closed-model maximum. The
     * half load is measured in its own interleaved rounds (it decides a target); 90 % was dropped: it overloaded
     * every path, direct calls included, and said nothing about the gateway.
     */
    static final double[] SWEEP = {0.1, 0.25, 0.5, 0.75};
    /** Index of the half load in {@link #SWEEP}. */
    static final int HALF = 2;
    static final String DIRECT = "direct";
    static final String HOP = "bare hop";
    static final String GW1 = "gateway, 1 platform";
    static final String GW2 = "gateway, 2 platforms";
    /** The gateway (1 platform) again, with audit entries written but not forced to disk (cxg.audit.fsync=false). */
    static final String GW1_NO_FSYNC = "gateway, 1 platform, audit not fsync'd";
    /** The report's own JVM, which runs the load generator, in the CPU accounting. */
    static final String LOAD_GENERATOR = "load generator";
    /** The load generator's name in file names (its JVM log). */
    static final String LOAD_GENERATOR_PROCESS = "load-generator";
    /** The paths of one set of rounds, each variant right after the plain gateway it is compared with. */
    private List<String> withVariants(String... paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            out.add(p);
            if (p.equals(GW1)) {
                variants.forEach(v -> out.add(v.path()));
            }
        }
        return out;
    }

    private String processOf(String path) {
        return processOf(variants, path);
    }

    /** The process that does a path's own work: its gateway (a variant's too) or the hop; null for direct calls. */
    static String processOf(List<Variant> variants, String path) {
        return variants.stream().filter(v -> v.path().equals(path)).map(Variant::process).findFirst().orElseGet(() -> PROCESS_OF_PATH.get(path));
    }

    /** {@link #processOf}, and for direct calls the scorer connector they go to. */
    static String ownProcess(List<Variant> variants, String path) {
        String p = processOf(variants, path);
        return p != null ? p : connector(ALPHA);
    }

    /** The process that does a path's own work (beyond the connector and platform every path shares). */
    static final Map<String, String> PROCESS_OF_PATH = Map.of(HOP, "hop", GW1, "gateway-1", GW1_NO_FSYNC, "gateway-1-no-fsync",
            GW2, "gateway-2");
    /** The scorer members: every path calls alpha-credit's connector, the 2-platform gateway beta-score's too. */
    static final String ALPHA = "alpha-credit";
    static final String BETA = "beta-score";
    /** The platform stand-in's process name. */
    static final String PLATFORM = "platform";

    /** A scorer connector's process name. */
    static String connector(String member) {
        return member + "-connector";
    }
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    /** How many times every path but the direct one gets {@link Timing#jitRewarm} before the rounds at 64 outstanding. */
    static final int REWARM_PASSES = 5;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    /**
     * @param jitWarmup    an unmeasured run at 64 outstanding per path before its first measured run: a server's
     *                     C2 compiler was still taking 40-60 % of its CPU after 5,000 calls, so a short warm-up
     *                     alone compares servers that are still compiling, the gateway (more code) the most
     * @param roundWarmup  unmeasured calls before each round of a path (the other paths ran in between)
     * @param roundMeasure measured time of each path in each round of the closed model
     * @param rounds       rounds of the closed model at 1 outstanding and at any --also-outstanding (every path once
     *                     per round); with the JIT done in the rounds at 64 before them, a path's added median varied by
     *                     ±10 % from round to round (2026-11-28 11:18: 455-552 µs), where it had varied 2x
     * @param roundsAt64   rounds of the closed model at 64 outstanding
     * @param halfWarmup   unmeasured open-model calls at the half load before each half-load round of a path
     * @param halfMeasure  measured time of each path in each half-load round
     * @param halfRounds   rounds at the half load
     * @param jitWarmupOne an unmeasured run at 1 outstanding per path after {@code jitWarmup}: code compiled at 64
     *                     outstanding hit C2's uncommon traps at 1 (lat1, bench/JOURNAL.md "One outstanding call": 668
     *                     methods made not entrant in a gateway's first ~12 s at 1 outstanding), which made each path's
     *                     first 1-outstanding round cost 2-4x the CPU of the later ones
     * @param halfJitWarmup an unmeasured open-model run at the half load per path before the half-load rounds: code
     *                     compiled in the closed model hit uncommon traps in the open model (2026-11-27 13:15 report:
     *                     289 JIT events in the gateway's first half-load round against 54 in its second, 312 µs of CPU
     *                     per call against 135-147, and 3,106 calls shed), so the first round measured the JIT
     * @param jitRewarm    an unmeasured run at 64 outstanding per path but the direct one, {@link #REWARM_PASSES} times,
     *                     right before the 64-outstanding rounds, which come before the 1-outstanding ones. The gateway's
     *                     C2 compiles only while the gateway has calls, ~150 methods in each run of 3 s at 64
     *                     outstanding (its thresholds grow with its queue), and ~25 s of calls passed before its JIT left
     *                     the rounds (2026-11-28 11:18 and 11:43 worktree reports: with 2 runs the gateway's compilers
     *                     took 237-361 µs per call in the first two or three rounds at 64, under 30 after). The rounds at
     *                     1 outstanding, when they came first, were that time, and measured the query path in C1's code
     *                     (its compilers ~1,000 µs per call there, 11-25 after the rounds at 64)
     */
    record Timing(Duration jitWarmup, Duration roundWarmup, Duration roundMeasure, int rounds, int roundsAt64, Duration halfWarmup,
                  Duration halfMeasure, int halfRounds, Duration sweepWarmup, Duration sweepMeasure, Duration profile,
                  Duration jitWarmupOne, Duration halfJitWarmup, Duration jitRewarm) {

        /** The probes' unmeasured warm-up on {@code paths}: at 64 outstanding, then at 1. */
        Duration warmup(List<String> paths) {
            return paths.stream().map(p -> forPath(p, jitWarmup).plus(jitWarmupOne)).reduce(Duration.ZERO, Duration::plus);
        }

        /** The rewarm passes over {@code rewarmed}, then the rounds at 64 outstanding of {@code paths} paths. */
        Duration at64(List<String> rewarmed, int paths) {
            Duration passes = rewarmed.stream().map(p -> forPath(p, jitRewarm)).reduce(Duration.ZERO, Duration::plus)
                    .multipliedBy(REWARM_PASSES);
            return passes.plus(closed(roundsAt64, paths));
        }

        /** {@code count} closed-model rounds of {@code paths} paths. */
        Duration closed(int count, int paths) {
            return roundWarmup.plus(roundMeasure).multipliedBy((long) count * paths);
        }

        /** The open-model JIT warm-up, then the half-load rounds, of {@code paths} paths. */
        Duration halfLoad(int paths) {
            return halfJitWarmup.plus(halfWarmup.plus(halfMeasure).multipliedBy(halfRounds)).multipliedBy(paths);
        }

        /** The sweep's points: {@code rates} offered rates on {@code paths} paths. */
        Duration sweep(int rates, int paths) {
            return sweepWarmup.plus(sweepMeasure).multipliedBy((long) rates * paths);
        }
    }

    // The whole report, build included, must stay under 15 minutes on a fresh clone (issue 6). Until 2026-11-26 11:00
    // each closed-model row was one 10 s window after 5 s of warm-up, and the half load one 6 s point of the sweep.
    // The half load: 7 rounds of 3 s (21 s per path) instead of 2 of 10 s since 2026-11-26 14:00, so that one stall decides
    // one round of seven, not one of two; paid for by the sweep's shorter points (2 s + 5 s instead of 3 s + 6 s).
    // The JIT warm-up: 12 s at 64 outstanding then 4 s at 1 per path since 2026-11-26 14:00 (was 15 s at 64 only).
    // The open-model JIT warm-up before the half load: 5 s per path since 2026-11-27 14:00.
    // The warm-up at 64 outstanding: 7 s first, then twice 3 s right before the rounds at 64 since 2026-11-28 07:00 (was
    // 12 s first; one run of 3 s or 6 s right before them left round 1 with 214 and 129 µs per call of the gateway's JIT
    // in fresh clones at 06:25 and 06:41: a saturated C2 leaves methods in C1's code until its queue is short again).
    // The rounds at 64 outstanding before those at 1 since 2026-11-28 12:00 (were after them, so that the rounds at 1 ran
    // the gateway's query path in C1's code), after 5 runs of 3 s per path instead of 2, and 3 rounds at 1 instead of 5.
    static final Timing FULL = new Timing(Duration.ofSeconds(7), Duration.ofSeconds(1), Duration.ofSeconds(2), 3, 5,
            Duration.ofSeconds(1), Duration.ofSeconds(3), 7, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(3));
    static final Timing QUICK = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2,
            Duration.ofSeconds(1), Duration.ofSeconds(2), 2, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @picocli.CommandLine.Command(name = "report", mixinStandardHelpOptions = true,
            description = "Run the whole benchmark on this machine and write bench/results/<date>/ (about 9.5 minutes, plus the build, unpacking Keycloak on a first run and the companion benchmarks: 13-14 minutes on a fresh clone).")
    public static final class Command implements Callable<Integer> {

        @Option(names = "--root", defaultValue = ".", description = "repository root (built jars, policies/)")
        Path root;

        @Option(names = "--out", description = "output directory (default: <root>/bench/results/<UTC date>); "
                + "its audit/, ingest/ and tokens/ are replaced")
        Path out;

        @Option(names = "--quick", description = "seconds-long runs: a smoke test of the tooling, not a measurement")
        boolean quick;

        @Option(names = "--no-profile", description = "skip the JFR recording of the gateway")
        boolean noProfile;

        @Option(names = "--no-tokens", description = "run the gateway without token checks (no Keycloak)")
        boolean noTokens;

        @Option(names = "--no-companions", description = "skip the audit, ingestion and token benchmarks that follow the report's own runs")
        boolean noCompanions;

        // the gateway's own options (gateway/jvm.options), read from the same file: with -Xms256m -Xmx256m the hop and
        // the connectors ran "Metadata GC Threshold" full collections (0.08-2.7 s on the busy machine, 2026-11-26 13:14)
        // and young pauses 3x as often as the gateway, so the ceiling stalled more than what it is the ceiling for; and
        // heaps in 4 KB pages slow every process's page-cache copies on this VM, the gateway's among them
        @Option(names = "--server-java-opts",
                description = "JVM options of every server process but the gateway (default: those of gateway/jvm.options, as the gateway's)")
        String serverJavaOpts;

        @Option(names = "--gateway-java-opts",
                description = "JVM options of the gateway (default: those of gateway/jvm.options, which ./cxg starts the demo's gateway with)")
        String gatewayJavaOpts;

        @Option(names = "--variant", paramLabel = "NAME=JVM-OPTIONS",
                description = "one more gateway (1 platform) started with the gateway's JVM options plus these, e.g. "
                        + "\"nodelay=-Dcxg.audit.commit-delay=0s\", measured in the same rounds as the plain gateway at 1 and 64 outstanding "
                        + "(and any --also-outstanding) and at half load, with per-round ratios to it; repeatable (at most " + Variant.MAX
                        + ", each adds ~80 s); none by default")
        List<String> variants;

        @Option(names = "--also-outstanding", split = ",", paramLabel = "N",
                description = "more closed-model points between 1 and 64 outstanding calls (e.g. 8): the direct path, the bare hop, "
                        + "the gateway (1 platform, and any variants) and the unsynced gateway in interleaved rounds after the 64-outstanding ones, "
                        + "with their ratios, CPU per call and the audit write; each adds ~40 s; none by default")
        List<Integer> alsoOutstanding;

        @Option(names = "--round-measure", converter = DurationConverter.class,
                description = "override the measured time of each path in each closed-model round")
        Duration roundMeasure;

        @Override
        public Integer call() throws Exception {
            List<Variant> parsedVariants = Variant.parseAll(variants);
            List<Integer> levels = moreLevels(alsoOutstanding);
            Timing t = quick ? QUICK : FULL;
            if (roundMeasure != null) {
                t = new Timing(t.jitWarmup(), t.roundWarmup(), roundMeasure, t.rounds(), t.roundsAt64(), t.halfWarmup(), t.halfMeasure(), t.halfRounds(),
                        t.sweepWarmup(), t.sweepMeasure(), t.profile(), t.jitWarmupOne(), t.halfJitWarmup(), t.jitRewarm());
            }
            Path r = root.toAbsolutePath().normalize();
            Path o = out != null ? out : r.resolve("bench/results/" + LocalDate.now(ZoneOffset.UTC));
            new ReportRunner(r, o, t, quick, !noProfile, !noTokens, !noCompanions, javaOptions(serverJavaOpts, r), javaOptions(gatewayJavaOpts, r),
                    parsedVariants, levels).run();
            return 0;
        }

        /** {@code given} split into options; when not given, those of gateway/jvm.options under {@code root}. */
        static List<String> javaOptions(String given, Path root) throws java.io.IOException {
            return given != null ? List.of(given.trim().split("\\s+")) : cxg.bench.ingest.GatewayProcess.jvmOptions(root);
        }
    }

    /** Largest --also-outstanding: as many calls in flight as the gateway's overload limit allows by default. */
    static final int MAX_OUTSTANDING = 1024;

    /** The --also-outstanding points, ascending; 1 and 64 are measured anyway. */
    static List<Integer> moreLevels(List<Integer> given) {
        if (given == null) {
            return List.of();
        }
        for (int n : given) {
            if (n < 2 || n > MAX_OUTSTANDING || n == 64) {
                throw new cxg.bench.load.BenchInputException("--also-outstanding: " + n + " is not a point to add: give 2-"
                        + MAX_OUTSTANDING + " outstanding calls other than 64 (1 and 64 are always measured)");
            }
        }
        return given.stream().distinct().sorted().toList();
    }

    private final Path root;
    private final Path out;
    private final Timing timing;
    private final boolean quick;
    private final boolean profile;
    private final boolean tokens;
    private final boolean companions;
    private final List<String> serverJavaOpts;
    private final List<String> gatewayJavaOpts;
    private final List<Variant> variants;
    private final List<Integer> moreLevels;
    private final List<Child> children = new ArrayList<>();
    private final LoadRunner runner = new LoadRunner();
    private final CpuMeter cpu = new CpuMeter(Sched.linux());
    /** Wall time of each phase of the run, to see where the report's minutes go. */
    private final Map<String, Double> phases = new LinkedHashMap<>();
    private double phaseMark;
    private double ownCpuSeconds;
    private double generatorGcSeconds;

    private Path keycloakRun;
    /** Where Keycloak's log is kept: its run directory is under the temporary directory the report deletes. */
    private Path keycloakLogs;
    private String issuer;

    ReportRunner(Path root, Path out, Timing timing, boolean quick, boolean profile, boolean tokens, boolean companions,
                 List<String> serverJavaOpts, List<String> gatewayJavaOpts, List<Variant> variants, List<Integer> moreLevels) {
        this.root = root;
        this.out = out;
        this.timing = timing;
        this.quick = quick;
        this.profile = profile;
        this.tokens = tokens;
        this.companions = companions;
        this.serverJavaOpts = serverJavaOpts;
        this.gatewayJavaOpts = gatewayJavaOpts;
        this.variants = List.copyOf(variants);
        this.moreLevels = List.copyOf(moreLevels);
    }

    void run() throws Exception {
        Path gatewayJar = root.resolve("gateway/target/quarkus-app/quarkus-run.jar");
        Path scorerJar = root.resolve("private-scorer-connector/target/quarkus-app/quarkus-run.jar");
        for (Path p : List.of(gatewayJar, scorerJar, root.resolve("policies/members.yaml"))) {
            if (!Files.isRegularFile(p)) {
                throw new cxg.bench.load.BenchInputException("--root: " + p + " is missing (build with mvn -B -DskipTests install)");
            }
        }
        Map<String, Object> machine = Machine.describe();
        machine.put("gatewayJavaOpts", "`" + String.join(" ", gatewayJavaOpts) + "` (gateway/jvm.options unless --gateway-java-opts)");
        machine.put("serverJavaOpts", "`" + String.join(" ", serverJavaOpts) + "` (the other servers; gateway/jvm.options unless --server-java-opts)");
        machine.put("tokens", tokens ? "a certificate-bound Keycloak token on every gateway call, checked by the gateway (cxg.identity.issuer)"
                : "none: the gateway ran without token checks (--no-tokens)");
        double busyBefore = Machine.busyCpuSeconds();
        Thread.sleep(2000);
        double idleCheck = Machine.busyCpuSeconds() - busyBefore;
        double backgroundBefore = idleCheck / 2.0 / Runtime.getRuntime().availableProcessors();
        System.out.printf("cxg bench report: %s, %s CPUs, load %s; background CPU use before start %.0f%%%n",
                machine.get("cpuModel"), machine.get("nproc"), machine.get("loadAverageAtStart"), backgroundBefore * 100);

        Path raw = out.resolve("raw-tmp");
        Files.createDirectories(raw);
        Path work = Files.createTempDirectory("cxg-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
        long wallStart = System.nanoTime();
        double busyStart = Machine.busyCpuSeconds();
        double selfCpuStart = Machine.cpuSecondsOf(ProcessHandle.current());
        Map<String, List<Rounds.Measured>> runs = new LinkedHashMap<>();
        List<Rounds.Measured> sweep = new ArrayList<>();
        Report.Profile profiled = null;
        cpu.add(LOAD_GENERATOR, ProcessHandle.current());
        Path logs = raw.resolve("logs");
        Files.createDirectories(logs);
        logOwnJvm(JvmLog.file(logs, LOAD_GENERATOR_PROCESS));
        List<Stalls.Force> forces = new ArrayList<>();
        List<DiskSampler.Interval> disk = new ArrayList<>();
        try {
            Path pki = work.resolve("pki");
            DevPki.init(pki, false);
            Path policies2 = copyPolicies(root.resolve("policies"), work.resolve("policies-2"), false);
            Path policies1 = copyPolicies(root.resolve("policies"), work.resolve("policies-1"), true);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("java.class.path");

            String keycloakUrl = null;
            String[] keycloakStart = null;
            if (tokens) {
                // Keycloak boots slowest: start it first, the others start while it does
                int https = freePort();
                keycloakRun = work.resolve("keycloak");
                keycloakLogs = logs;
                keycloakStart = new String[] {"start", Integer.toString(freePort()), Integer.toString(https), Integer.toString(freePort()),
                        pki.toString()};
                keycloak(keycloakStart);
                keycloakUrl = "https://localhost:" + https;
                issuer = keycloakUrl + "/realms/cxg";
            }
            int platformPort = freePort();
            String jul = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager";
            Child platform = start(PLATFORM, logs, cmd(java, List.of(jul, "-cp", cp, "cxg.bench.BenchCli", "platform",
                    "--listen", "127.0.0.1:" + platformPort)));
            Map<String, int[]> scorers = new LinkedHashMap<>();
            for (String member : List.of(ALPHA, BETA)) {
                int grpc = freePort();
                int http = freePort();
                scorers.put(member, new int[] {grpc, http});
                start(connector(member), logs, cmd(java, List.of(
                        "-Dcxg.member=" + member, "-Dcxg.pki.dir=" + pki,
                        "-Dcxg.platform.base-url=http://127.0.0.1:" + platformPort + "/" + member,
                        "-Dquarkus.grpc.server.port=" + grpc, "-Dquarkus.grpc.server.host=127.0.0.1",
                        "-Dquarkus.http.port=" + http, "-Dquarkus.http.host=127.0.0.1",
                        "-jar", scorerJar.toString())));
            }
            int hopPort = freePort();
            Child hop = start("hop", logs, cmd(java, List.of(jul, "-cp", cp, "cxg.bench.BenchCli", "hop",
                    "--listen", "127.0.0.1:" + hopPort, "--backend", "127.0.0.1:" + scorers.get("alpha-credit")[0],
                    "--pki-dir", pki.toString())));
            // All gateways run side by side, so that every path can be measured in the same rounds; the idle ones'
            // CPU is in the accounting (a few µs per call at most).
            Map<String, int[]> gatewayPorts = new LinkedHashMap<>();
            for (String path : List.of(GW1, GW1_NO_FSYNC, GW2)) {
                gatewayPorts.put(path, new int[] {freePort(), freePort()});
            }
            startGateway(PROCESS_OF_PATH.get(GW1), logs, java, gatewayJar, pki, policies1, work, gatewayPorts.get(GW1), scorers);
            startGateway(PROCESS_OF_PATH.get(GW1_NO_FSYNC), logs, java, gatewayJar, pki, policies1, work, gatewayPorts.get(GW1_NO_FSYNC),
                    scorers, "-Dcxg.audit.fsync=false");
            startGateway(PROCESS_OF_PATH.get(GW2), logs, java, gatewayJar, pki, policies2, work, gatewayPorts.get(GW2), scorers);
            for (Variant v : variants) {
                gatewayPorts.put(v.path(), new int[] {freePort(), freePort()});
                startGateway(v.process(), logs, java, gatewayJar, pki, policies1, work, gatewayPorts.get(v.path()), scorers,
                        v.javaOptions().toArray(String[]::new));
            }

            platform.awaitReady(null, platformPort, START_TIMEOUT);
            hop.awaitReady(null, hopPort, START_TIMEOUT);
            for (Map.Entry<String, int[]> s : scorers.entrySet()) {
                child(connector(s.getKey())).awaitReady(health(s.getValue()[1]), 0, START_TIMEOUT);
            }
            for (Map.Entry<String, int[]> g : gatewayPorts.entrySet()) {
                child(processOf(g.getKey())).awaitReady(health(g.getValue()[1]), 0, START_TIMEOUT);
            }
            Child gateway1 = child(PROCESS_OF_PATH.get(GW1));
            if (profile) {
                // all gateways alike: a primed JVM keeps a 'JFR Periodic Tasks' thread waking ~90 times a second (lat1);
                // done while Keycloak, the slowest to start, is still starting
                for (String g : gatewayPorts.keySet()) {
                    primeJfr(child(processOf(g)).pid());
                }
            }
            if (tokens) {
                awaitKeycloak(keycloakStart);
            }
            phase("servers started", wallStart);

            SslContext asGateway = ClientChannels.clientContext(pki, "gateway");
            SslContext asCourt = ClientChannels.clientContext(pki, "court");
            List<ManagedChannel> channels = new ArrayList<>();
            Optional<ClientInterceptor> courtToken = keycloakUrl == null ? Optional.empty()
                    : Optional.of(MemberTokens.fromKeycloak(keycloakUrl, pki, "court").interceptor());
            Map<String, CallTarget> targets = new LinkedHashMap<>();
            ManagedChannel direct = ClientChannels.open(new InetSocketAddress("127.0.0.1", scorers.get("alpha-credit")[0]), asGateway);
            ManagedChannel viaHop = ClientChannels.open(new InetSocketAddress("127.0.0.1", hopPort), asGateway);
            channels.addAll(List.of(direct, viaHop));
            Map<String, Channel> gateways = new LinkedHashMap<>();
            for (Map.Entry<String, int[]> g : gatewayPorts.entrySet()) {
                ManagedChannel ch = ClientChannels.open(new InetSocketAddress("127.0.0.1", g.getValue()[0]), asCourt);
                channels.add(ch);
                gateways.put(g.getKey(), ClientChannels.intercepted(ch, courtToken));
            }
            // the direct and hop paths ask the scorer what the gateway asks it for the same query
            List<String> granted = grantedCategories(gateways.get(GW1));
            targets.put(DIRECT, GrpcTargets.getScore(direct, DEADLINE, granted));
            targets.put(HOP, GrpcTargets.getScore(viaHop, DEADLINE, granted));
            gateways.forEach((path, ch) -> targets.put(path, GrpcTargets.queryScore(ch, DEADLINE)));
            starting("probes and JIT warm-up", "unmeasured calls on " + targets.size() + " paths",
                    timing.warmup(List.copyOf(targets.keySet())));
            for (Map.Entry<String, CallTarget> t : targets.entrySet()) {
                probe(t.getKey(), t.getValue());
                jitWarmup(t.getKey(), t.getValue());
            }
            phase("probes and JIT warm-up", wallStart);
            // Closed model in interleaved rounds, 64 outstanding first (see Timing#jitRewarm); the audit write's cost at
            // 64 outstanding is not a figure of the report. The rewarm in passes over the paths, as the rounds run them
            // (a path's C2 queue does not outlast its run: HotSpot drops a queued task once its method goes 50 ms
            // without a call), not over the direct one: its server, the alpha-credit connector, serves every path's calls.
            List<String> rewarmed = withVariants(HOP, GW1, GW1_NO_FSYNC, GW2);
            List<String> at64 = withVariants(DIRECT, HOP, GW1, GW2);
            starting("closed model, 64 outstanding", "unmeasured calls again (" + REWARM_PASSES + " passes over " + rewarmed.size()
                    + " paths), then " + timing.roundsAt64() + " rounds of " + at64.size() + " paths", timing.at64(rewarmed, at64.size()));
            for (int pass = 0; pass < REWARM_PASSES; pass++) {
                rewarmed.forEach(path -> jitRewarm(path, targets.get(path)));
            }
            runs.putAll(rounds("@64", at64, targets, timing.roundsAt64(),
                    LoadSpec.closed(64, 0, timing.roundWarmup(), Duration.ZERO), LoadSpec.closed(64, 0, timing.roundMeasure(), Duration.ZERO)));
            phase("closed model, 64 outstanding", wallStart);
            List<String> at1 = withVariants(DIRECT, HOP, GW1, GW1_NO_FSYNC, GW2);
            starting("closed model, 1 outstanding", timing.rounds() + " rounds of " + at1.size() + " paths", timing.closed(timing.rounds(), at1.size()));
            runs.putAll(rounds("@1", at1, targets, timing.rounds(),
                    LoadSpec.closed(1, 0, timing.roundWarmup(), Duration.ZERO), LoadSpec.closed(1, 0, timing.roundMeasure(), Duration.ZERO)));
            phase("closed model, 1 outstanding", wallStart);
            for (int n : moreLevels) {
                List<String> atN = withVariants(DIRECT, HOP, GW1, GW1_NO_FSYNC);
                starting("closed model, " + n + " outstanding", timing.rounds() + " rounds of " + atN.size() + " paths",
                        timing.closed(timing.rounds(), atN.size()));
                runs.putAll(rounds("@" + n, atN, targets, timing.rounds(),
                        LoadSpec.closed(n, 0, timing.roundWarmup(), Duration.ZERO), LoadSpec.closed(n, 0, timing.roundMeasure(), Duration.ZERO)));
                phase("closed model, " + n + " outstanding", wallStart);
            }
            double gatewayMax = Rounds.merge(runs.get(GW1 + "@64")).result().throughput();
            if (profile) {
                starting("profile", "the gateway at 64 outstanding, without JFR and then with it", timing.profile().multipliedBy(2));
                profiled = profile(gateway1.pid(), raw.resolve("gateway.jfr"), targets.get(GW1));
                phase("profile", wallStart);
            }
            double half = Math.max(1, Math.round(gatewayMax * SWEEP[HALF]));
            // the audit writers' file forces, recorded only where JFR was primed (its first start deoptimises I/O code)
            List<String> forced = profile ? List.of(PROCESS_OF_PATH.get(GW1), PROCESS_OF_PATH.get(GW1_NO_FSYNC)) : List.of();
            Path jfc = work.resolve("file-force.jfc");
            Files.writeString(jfc, FILE_FORCE_SETTINGS);
            for (String g : forced) {
                jcmd(child(g).pid(), "JFR.start", "name=cxg-bench-forces", "settings=" + jfc, "filename=" + raw.resolve(g + "-forces.jfr"));
            }
            List<String> halfPaths = withVariants(DIRECT, HOP, GW1, GW1_NO_FSYNC);
            starting("half load", String.format(Locale.ROOT, "%,.0f req/s offered; unmeasured calls on %d paths, then %d rounds of them",
                    half, halfPaths.size(), timing.halfRounds()), timing.halfLoad(halfPaths.size()));
            if (!timing.halfJitWarmup().isZero()) {
                for (String path : halfPaths) {
                    collectGenerator();
                    runner.run(path + " (JIT warm-up, open model)", LoadSpec.open(half, 10_000, 0, timing.halfJitWarmup(), Duration.ZERO),
                            targets.get(path));
                }
            }
            try (DiskSampler sampler = DiskSampler.start()) {
                runs.putAll(rounds("@half", halfPaths, targets, timing.halfRounds(),
                        LoadSpec.open(half, 10_000, 0, timing.halfWarmup(), Duration.ZERO),
                        LoadSpec.open(half, 10_000, 0, timing.halfMeasure(), Duration.ZERO)));
                disk.addAll(sampler.intervals());
            }
            for (String g : forced) {
                jcmd(child(g).pid(), "JFR.stop", "name=cxg-bench-forces");
                forces.addAll(fileForces(g, raw.resolve(g + "-forces.jfr")));
            }
            phase("half load", wallStart);
            List<String> swept = List.of(DIRECT, HOP, GW1);
            starting("rate sweep", (SWEEP.length - 1) + " more offered rates on " + swept.size() + " paths", timing.sweep(SWEEP.length - 1, swept.size()));
            for (int i = 0; i < SWEEP.length; i++) {
                if (i == HALF) {
                    continue;
                }
                double rate = Math.max(1, Math.round(gatewayMax * SWEEP[i]));
                for (String path : swept) {
                    collectGenerator();
                    // the warm-up as its own run (as LoadRunner runs a spec's warm-up), so that the window metered is the measured one
                    runner.run(path + " (warm-up)", LoadSpec.open(rate, 10_000, 0, timing.sweepWarmup(), Duration.ZERO), targets.get(path));
                    sweep.add(metered(path, path, LoadSpec.open(rate, 10_000, 0, timing.sweepMeasure(), Duration.ZERO), targets.get(path),
                            "sweep"));
                }
            }
            phase("rate sweep", wallStart);
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } finally {
            stopAll();
            deleteRecursively(work);
        }
        double wall = seconds(wallStart);
        ownCpuSeconds += Machine.cpuSecondsOf(ProcessHandle.current()) - selfCpuStart;
        double busy = Machine.busyCpuSeconds() - busyStart;
        double capacity = wall * Runtime.getRuntime().availableProcessors();
        double foreign = Math.max(0, busy - ownCpuSeconds);
        Map<String, Object> quiet = new LinkedHashMap<>();
        quiet.put("backgroundCpuBeforeStart", backgroundBefore);
        quiet.put("wallSeconds", wall);
        quiet.put("cpuSecondsAvailable", capacity);
        quiet.put("cpuSecondsUsedByReportProcesses", ownCpuSeconds);
        quiet.put("cpuSecondsUsedByOtherProcesses", foreign);
        quiet.put("otherProcessesShare", foreign / capacity);
        quiet.put("loadAverageAtEnd", Machine.loadAverage());
        quiet.put("quiet", backgroundBefore < 0.10 && foreign / capacity < 0.10);
        machine.put("quietness", quiet);
        machine.put("phaseSeconds", phases);
        machine.put("loadGeneratorCollectionsBetweenWindowsSeconds", Math.round(generatorGcSeconds * 10) / 10.0);

        Files.createDirectories(out);
        Report report = new Report(machine, timing, quick, runs, sweep, profiled, variants);
        Stalls stalls = stalls(runs, logs, forces, disk);
        Map<String, Object> json = report.toJson();
        json.put("halfLoadStalls", stalls.toJson());
        Files.writeString(out.resolve("results.json"), Json.write(json) + "\n");
        Files.writeString(out.resolve("latency-vs-load.svg"), report.chart());
        String markdown = report.markdown() + stalls.markdown();
        Files.writeString(out.resolve("report.md"), markdown);
        System.out.println("cxg bench report: written to " + out + " in " + Math.round(wall) + " s");
        if (!(Boolean) quiet.get("quiet")) {
            System.out.printf("cxg bench report: WARNING the machine was not quiet (other processes used %.0f%% of the CPU); "
                    + "these numbers are not a valid measurement%n", 100 * foreign / capacity);
        }
        if (companions) {
            StringBuilder md = new StringBuilder(markdown);
            md.append("\n## Other benchmarks of this run (issue 6 item 4)\n\n")
                    .append("Run after the measurements above (not counted in their quietness check), each by its own tool; ")
                    .append("each states its own conditions.\n");
            for (Companions.Section section : new Companions(root, out, quick, raw.resolve("logs")).run()) {
                md.append("\n## ").append(section.title()).append("\n\n").append(section.markdown());
                Files.writeString(out.resolve("report.md"), md);
            }
            System.out.println("cxg bench report: report.md completed after " + Math.round(seconds(wallStart)) + " s");
        }
    }

    /**
     * Every path in {@code paths} measured {@code count} times, one after the other in each round; the order is
     * reversed every other round, so that a path is not always the one after the same neighbour. Each window gets
     * {@code warmup} first (unmeasured: the path was idle while the others ran), and the CPU the report's processes
     * used during the measured window.
     *
     * @return per path (key {@code path + suffix}), its rounds in order
     */
    private Map<String, List<Rounds.Measured>> rounds(String suffix, List<String> paths, Map<String, CallTarget> targets, int count,
                                                      LoadSpec warmup, LoadSpec measured) {
        Map<String, List<Rounds.Measured>> out = new LinkedHashMap<>();
        paths.forEach(p -> out.put(p + suffix, new ArrayList<>()));
        for (int round = 0; round < count; round++) {
            List<String> order = new ArrayList<>(paths);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String path : order) {
                collectGenerator();
                runner.run(path + " (round warm-up)", warmup, targets.get(path));
                out.get(path + suffix).add(metered(path, path, measured, targets.get(path), "round " + (round + 1) + "/" + count));
            }
        }
        return out;
    }

    /**
     * A full collection of the report's own JVM (the load generator) before each window's warm-up, so that its young
     * collections do not land in the measured window (./cxg gives it an eden larger than a window allocates): in a
     * 2026-11-26 13:14 trial its young pauses of 20-60 ms (busy machine) were charged, as send lag, to whichever path
     * was being measured. The servers are idle meanwhile; its time is in the phase durations.
     */
    private void collectGenerator() {
        long t0 = System.nanoTime();
        System.gc();
        generatorGcSeconds += (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Says what a phase does before it starts, and about how long: without it the rewarm before the rounds at 64
     * outstanding was more than a minute without a line. {@code load} is what the phase's runs take by their specs;
     * the report's own pauses between runs add a few per cent, the probes before the first warm-up ~8 s.
     */
    private static void starting(String name, String what, Duration load) {
        System.out.println("cxg bench report: " + name + ": " + what + " (about " + load.toSeconds() + " s)…");
    }

    private void phase(String name, long wallStart) {
        double now = seconds(wallStart);
        phases.put(name, Math.round((now - phaseMark) * 10) / 10.0);
        phaseMark = now;
        System.out.println("cxg bench report: " + name + " took " + phases.get(name) + " s");
    }

    /** One measured window with the CPU used in it; {@code path} names the process whose share is printed. */
    private Rounds.Measured metered(String path, String label, LoadSpec spec, CallTarget target, String note) {
        long read = System.nanoTime();
        CpuMeter.Snapshot before = cpu.start();
        read = System.nanoTime() - read;
        LoadResult r = runner.run(label, spec, target);
        long readAfter = System.nanoTime();
        CpuUse used = CpuUse.between(before, cpu.end());
        read += System.nanoTime() - readAfter;
        Rounds.Measured m = new Rounds.Measured(r, used);
        Map<String, Double> perCall = m.cpuMicrosPerCall();
        String process = processOf(path);
        String own = ownProcess(variants, path);
        SchedUse sched = used.sched();
        double waited = sched == null ? Double.NaN : sched.waitSecondsOf(Report.pathProcesses(path, own));
        System.out.printf(java.util.Locale.ROOT, "%s, %s (%s): %.0f answered/s, p50 %.0f µs, p99 %.0f µs, ok/degraded/failed %d/%d/%d; "
                        + "CPU µs per call %.0f in all%s; other processes %.0f%% of the CPU; run-queue wait µs per call %.0f in the path's "
                        + "processes, CPU pressure %.0f ms/s%s (/proc read in %.1f ms)%n",
                label, spec.describe(), note, r.throughput(), r.percentileMicros(50), r.percentileMicros(99), r.ok(), r.degraded(), r.failed(),
                perCall.getOrDefault(CpuUse.TOTAL, Double.NaN),
                process != null ? String.format(java.util.Locale.ROOT, ", %.0f in %s", perCall.getOrDefault(process, Double.NaN), process) : "", 100 * used.otherShare(), waited * 1e6 / Math.max(1, r.answered()),
                sched == null ? Double.NaN : sched.cpuPressureMillisPerSecond(), byThread(sched, own, r.answered()), read / 1e6);
        return m;
    }

    /** ", CPU µs per call by thread in gateway-1: event loops 52, audit writer 16, …" for the four largest groups; empty if not measured. */
    private static String byThread(SchedUse sched, String process, long answered) {
        Map<String, Double> perCall = sched == null ? Map.of() : sched.threadMicrosPerCall(process, answered);
        String top = perCall.entrySet().stream().filter(e -> e.getValue() >= 0.5).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(4).map(e -> String.format(java.util.Locale.ROOT, "%s %.0f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
        return top.isEmpty() ? "" : "; CPU µs per call by thread in " + process + ": " + top;
    }

    /**
     * The JFR profile of the gateway (1 platform) at 64 outstanding, right after the same load without JFR, so that
     * what recording costs is measured in the same minute.
     */
    private Report.Profile profile(long pid, Path jfr, CallTarget target) throws IOException, InterruptedException {
        LoadSpec spec = LoadSpec.closed(64, 0, timing.profile(), Duration.ZERO);
        Rounds.Measured without = metered(GW1, GW1 + " (before JFR)", spec, target, "profile");
        jcmd(pid, "JFR.start", "name=cxg-bench", "settings=profile", "filename=" + jfr);
        Rounds.Measured with = metered(GW1, GW1 + " (JFR on)", spec, target, "profile");
        jcmd(pid, "JFR.stop", "name=cxg-bench");
        return new Report.Profile(without, with, JfrHotSpots.read(jfr, 15));
    }

    /**
     * Starts and stops a JFR recording before the gateway's JIT warm-up. JFR's first start in a JVM instruments the
     * JDK's socket and file classes for its I/O events, which makes all C2 code that inlined them not entrant (seen
     * with -XX:+PrintCompilation: SocketChannelImpl.read/write, the NIO buffers and their hot callers; a second start
     * invalidates none of it); done in the profile phase, the gateway ran partly interpreted while being recorded
     * (1,414 against 6,694 req/s in the 09:29 report). The instrumentation stays; the other runs see it disabled.
     */
    /** The report's own JVM (the load generator) logs its pauses and JIT work too, from now on. */
    private static void logOwnJvm(Path file) {
        try {
            java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmLog",
                    new Object[] {new String[] {"output=file=" + file, "what=" + JvmLog.WHAT, "decorators=utctime,tags",
                            "output_options=filecount=0"}},
                    new String[] {String[].class.getName()});
        } catch (javax.management.JMException | RuntimeException e) {
            System.err.println("cxg bench report: the load generator's own pauses are not logged (" + e.getMessage() + ")");
        }
    }

    /** jdk.FileForce events only, 1 ms and longer, without stack traces: the audit writer's fsyncs at half load. */
    private static final String FILE_FORCE_SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="cxg bench file forces">
              <event name="jdk.FileForce">
                <setting name="enabled">true</setting>
                <setting name="stackTrace">false</setting>
                <setting name="threshold">1 ms</setting>
              </event>
            </configuration>
            """;

    private static List<Stalls.Force> fileForces(String process, Path jfr) {
        List<Stalls.Force> out = new ArrayList<>();
        try {
            for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(jfr)) {
                if ("jdk.FileForce".equals(e.getEventType().getName())) {
                    String path = e.getString("path");
                    out.add(new Stalls.Force(process, e.getStartTime().toEpochMilli(), e.getDuration().toNanos() / 1e6,
                            path == null ? "?" : Path.of(path).getFileName().toString()));
                }
            }
        } catch (IOException e) {
            System.err.println("cxg bench report: could not read " + jfr + " (" + e.getMessage() + ")");
        }
        return out;
    }

    /** The half-load rounds against every process's JVM log, the file forces and the disk samples. */
    private Stalls stalls(Map<String, List<Rounds.Measured>> runs, Path logs, List<Stalls.Force> forces, List<DiskSampler.Interval> disk)
            throws IOException {
        Map<String, List<Rounds.Measured>> half = new LinkedHashMap<>();
        runs.forEach((k, v) -> {
            if (k.endsWith(Report.HALF)) {
                half.put(k.substring(0, k.length() - Report.HALF.length()), v);
            }
        });
        List<JvmLog.Pause> pauses = new ArrayList<>();
        List<JvmLog.Jit> jit = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jvm.log")) {
                    JvmLog log = JvmLog.read(name.substring(0, name.length() - ".jvm.log".length()), f);
                    pauses.addAll(log.pauses());
                    jit.addAll(log.jit());
                }
            }
        }
        return new Stalls(half, pauses, jit, forces, disk);
    }

    private static void primeJfr(long pid) throws IOException, InterruptedException {
        jcmd(pid, "JFR.start", "name=cxg-bench-prime", "settings=profile");
        jcmd(pid, "JFR.stop", "name=cxg-bench-prime");
    }

    /** The first calls of a fresh path may outlive the deadline (cold JIT, handshakes): retry for a while, then give up. */
    private void probe(String label, CallTarget target) {
        LoadResult r = null;
        for (int attempt = 0; attempt < 12; attempt++) {
            r = runner.run(label + " (probe)", LoadSpec.closed(1, 1, null, Duration.ZERO), target);
            if (r.clean()) {
                return;
            }
        }
        throw new IllegalStateException(label + ": no call was answered OK (last: " + r.failures() + r.degradations()
                + "); see the logs in " + out.resolve("raw-tmp/logs"));
    }

    /** The categories the gateway's decision grants the report's query: what it asks each scorer for. */
    private List<String> grantedCategories(Channel gateway) {
        StatusRuntimeException last = null;
        for (int attempt = 0; attempt < 12; attempt++) {
            try {
                return QueryServiceGrpc.newBlockingStub(gateway).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                        .queryScore(GrpcTargets.reportQuery()).getDecision().getGrantedCategoriesList();
            } catch (StatusRuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException(GW1 + ": no answer to the report's query (last: " + last.getStatus().getCode()
                + "); see the logs in " + out.resolve("raw-tmp/logs"));
    }

    /** Unmeasured calls until the path's servers have compiled their hot code (see {@link Timing#jitWarmup}). */
    private void jitWarmup(String label, CallTarget target) {
        if (!timing.jitWarmup().isZero()) {
            runner.run(label + " (JIT warm-up)", LoadSpec.closed(64, 0, forPath(label, timing.jitWarmup()), Duration.ZERO), target);
        }
        if (!timing.jitWarmupOne().isZero()) {
            runner.run(label + " (JIT warm-up, 1 outstanding)", LoadSpec.closed(1, 0, timing.jitWarmupOne(), Duration.ZERO), target);
        }
    }

    /** Unmeasured calls at 64 outstanding before the rounds there (see {@link Timing#jitRewarm}). */
    private void jitRewarm(String label, CallTarget target) {
        if (!timing.jitRewarm().isZero()) {
            runner.run(label + " (JIT warm-up again, 64 outstanding)", LoadSpec.closed(64, 0, forPath(label, timing.jitRewarm()), Duration.ZERO),
                    target);
        }
    }

    /**
     * A warm-up's time for a path: the 2-platform path answers about half as many calls per second, and beta-score's
     * connector serves no other path, so twice the time gives its servers as many warm-up calls as the 1-platform path's.
     */
    private static Duration forPath(String label, Duration warmup) {
        return GW2.equals(label) ? warmup.multipliedBy(2) : warmup;
    }

    private Child startGateway(String name, Path logs, String java, Path jar, Path pki, Path policies, Path work, int[] ports,
                               Map<String, int[]> scorers, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of(
                "-Dquarkus.grpc.server.port=" + ports[0], "-Dquarkus.grpc.server.host=127.0.0.1",
                "-Dquarkus.http.port=" + ports[1], "-Dquarkus.http.host=127.0.0.1",
                "-Dcxg.policy.dir=" + policies, "-Dcxg.pki.dir=" + pki, "-Dcxg.data.dir=" + work.resolve("data-" + name)));
        if (issuer != null) {
            args.add("-Dcxg.identity.issuer=" + issuer);
        }
        scorers.forEach((member, p) -> args.add("-Dcxg.gateway.scorer-endpoints." + member + "=127.0.0.1:" + p[0]));
        args.addAll(List.of("-jar", jar.toString()));
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(gatewayJavaOpts);
        command.addAll(args);
        return start(name, logs, command);
    }

    private List<String> cmd(String java, List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(java);
        c.addAll(serverJavaOpts);
        c.addAll(args);
        return c;
    }

    private Child start(String name, Path logs, List<String> command) throws IOException {
        // every JVM logs its pauses and JIT work, to find the half-load stalls (Stalls)
        List<String> logged = new ArrayList<>(command);
        logged.add(1, JvmLog.option(logs, name));
        Child c = Child.start(name, logged, logs);
        cpu.add(name, c.process.toHandle());
        synchronized (children) {
            children.add(c);
        }
        return c;
    }

    private Child child(String name) {
        synchronized (children) {
            return children.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
        }
    }

    private void stop(Child c) {
        synchronized (children) {
            if (!children.remove(c)) {
                return;
            }
        }
        ownCpuSeconds += Machine.cpuSecondsOf(c.process.toHandle());
        c.close();
    }

    private void stopAll() {
        List<Child> all;
        synchronized (children) {
            all = new ArrayList<>(children);
        }
        all.forEach(this::stop);
        if (keycloakRun != null) {
            try {
                String pid = Files.readString(keycloakRun.resolve("keycloak.pid")).trim();
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> ownCpuSeconds += Machine.cpuSecondsOf(h));
                keycloak("stop");
                keepKeycloakLog("keycloak.log");
            } catch (IOException | RuntimeException e) {
                System.err.println("cxg bench report: could not stop Keycloak (" + e.getMessage() + "); its pid file is in " + keycloakRun);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            keycloakRun = null;
        }
    }

    /**
     * Waits for Keycloak; if it exits or is not ready in time, keeps its log, then stops and starts it once more on the
     * same ports (the gateways already carry its issuer URL): a start-up once failed transiently on the busy machine.
     */
    private void awaitKeycloak(String[] start) throws IOException, InterruptedException {
        try {
            keycloak("wait", Long.toString(START_TIMEOUT.toSeconds()));
            return;
        } catch (IOException first) {
            Path kept = keepKeycloakLog("keycloak-attempt-1.log");
            String told = kept == null ? first.getMessage() : first.getMessage().replace(kept.resolveSibling("keycloak.log").toString(), kept.toString());
            System.out.println("cxg bench report: " + told + "; starting Keycloak once more");
        }
        keycloak("stop");
        keycloak(start);
        keycloak("wait", Long.toString(START_TIMEOUT.toSeconds()));
    }

    /** A copy of Keycloak's log in the report's log directory (git-ignored raw-tmp/logs), or null if there is none. */
    private Path keepKeycloakLog(String name) {
        Path log = keycloakRun == null ? null : keycloakRun.resolve("keycloak.log");
        if (log == null || keycloakLogs == null || !Files.isRegularFile(log)) {
            return null;
        }
        try {
            return Files.copy(log, keycloakLogs.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("cxg bench report: could not keep Keycloak's log " + log + " (" + e.getMessage() + ")");
            return null;
        }
    }

    /**
     * keycloak/keycloak.sh with this report's own run directory (the distribution cache is the repository's). A failure
     * names the copy of Keycloak's log in the report's directory, not the one in the run directory the report deletes.
     */
    private void keycloak(String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>();
        c.add(root.resolve("keycloak/keycloak.sh").toString());
        c.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        pb.environment().put("CXG_KEYCLOAK_RUN_DIR", keycloakRun.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            Path kept = keepKeycloakLog("keycloak.log");
            String told = kept == null ? output : output.replace(keycloakRun.resolve("keycloak.log").toString(), kept.toString());
            throw new IOException("keycloak.sh " + args[0] + " failed: " + told.replace("\n", " ")
                    + (kept == null || told.contains(kept.toString()) ? "" : " (its log: " + kept + ")") + " (or run the report with --no-tokens)");
        }
        if (!output.isEmpty()) {
            // the log named is in the run directory the report deletes; the copy kept is under raw-tmp/logs
            String told = keycloakLogs == null ? output : output.replace(keycloakRun.resolve("keycloak.log").toString(),
                    keycloakLogs.resolve("keycloak.log") + " when the report ends");
            System.out.println("cxg bench report: " + told.replace("\n", " "));
        }
    }

    private static String health(int httpPort) {
        return "http://127.0.0.1:" + httpPort + "/q/health/ready";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> c = new ArrayList<>();
        c.add(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd");
        c.add(Long.toString(pid));
        c.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + output.strip());
        }
    }

    /** A copy of the policy directory; {@code onePlatform} drops every platform member but alpha-credit. */
    static Path copyPolicies(Path from, Path to, boolean onePlatform) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        // The agreements' per-minute quotas would refuse a load test after a few hundred calls.
        Path agreements = to.resolve("agreements.yaml");
        Files.write(agreements, withoutQuotas(Files.readAllLines(agreements)));
        if (onePlatform) {
            Path members = to.resolve("members.yaml");
            Files.write(members, withoutMember(Files.readAllLines(members), "beta-score"));
        }
        return to;
    }

    /** agreements.yaml with every quotaPerMinute at the schema's maximum. */
    static List<String> withoutQuotas(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("^(\\s*quotaPerMinute:\\s*)\\d+", "$11000000")).toList();
    }

    /** members.yaml without the list entry {@code - id: <id>} (up to the next entry). */
    static List<String> withoutMember(List<String> lines, String id) {
        List<String> kept = new ArrayList<>();
        boolean skipping = false;
        for (String line : lines) {
            String t = line.strip();
            if (t.startsWith("- id:")) {
                skipping = t.substring(5).strip().replace("\"", "").equals(id);
            }
            if (!skipping) {
                kept.add(line);
            }
        }
        return kept;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cxg bench report: could not remove " + dir);
        }
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }
}
