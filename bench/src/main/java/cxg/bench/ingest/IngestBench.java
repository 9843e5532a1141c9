package cxg.bench.ingest;

import cxg.bench.load.ClientChannels;
import cxg.pki.DevPki;
import cxg.v1.SubmitRequest;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * {@code ./cxg bench ingest OUT}: streams signed ratings over mutual TLS into the built gateway
 * (its own process) on H2 and on PostgreSQL, and in the same run measures the same store's raw
 * JDBC batch-insert rate as the baseline. Writes {@code ingest.json} and {@code ingest.md} to OUT.
 * Targets (issue 7, 2-core machine): at least 20,000 ratings/s end to end and 50% of the raw rate.
 */
public final class IngestBench {

    static final double TARGET_ITEMS_PER_SECOND = 20_000;
    static final double TARGET_RATIO = 0.5;

    /** One store's figures. */
    public record StoreResult(String store, long items, double itemsPerSecond, double rawRowsPerSecond, long rejected) {
        public double ratio() {
            return itemsPerSecond / rawRowsPerSecond;
        }
    }

    private final Path repoRoot;
    private final Path out;
    private final int items;
    private final int warmup;
    private final int batchSize;
    private final int window;
    private final boolean profile;

    public IngestBench(Path repoRoot, Path out, boolean quick, int batchSize, int window, boolean profile) {
        this.repoRoot = repoRoot;
        this.out = out;
        this.items = quick ? 60_000 : 300_000;
        this.warmup = quick ? 20_000 : 60_000;
        this.batchSize = batchSize;
        this.window = window;
        this.profile = profile;
    }

    public List<StoreResult> run(List<String> stores) throws Exception {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("cxg-bench-ingest");
        String loadBefore = loadAverage();
        Instant started = Instant.now();
        List<StoreResult> results = new ArrayList<>();
        try {
            Path pki = work.resolve("pki");
            DevPki.init(pki, false);
            Ed25519PrivateKeyParameters key = Ratings.newKey();
            Files.writeString(pki.resolve("alpha-credit.ed25519.pub"), Ratings.publicKeyPem(key));
            Path policies = repoRoot.resolve("policies");
            for (String name : stores) {
                try (BenchStore store = name.equals("h2") ? BenchStore.h2(work.resolve("h2")) : BenchStore.postgres()) {
                    results.add(measure(store, pki, policies, work.resolve(name), key));
                }
            }
        } finally {
            deleteTree(work);
        }
        write(results, started, loadBefore, loadAverage());
        return results;
    }

    private StoreResult measure(BenchStore store, Path pki, Path policies, Path work, Ed25519PrivateKeyParameters key)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Ratings ratings = new Ratings(run, Instant.now(), key);
        List<SubmitRequest> warm = ratings.batches(0, warmup, batchSize);
        List<SubmitRequest> measured = ratings.batches(warmup, warmup + items, batchSize);
        List<String> jvm = profile
                ? List.of("-XX:StartFlightRecording=filename=" + out.resolve("ingest-" + store.name() + ".jfr") + ",settings=profile")
                : List.of();
        IngestStream.Result result;
        // a store takes 30-60 s: say each step, so that the tool is not silent until its result
        System.out.printf(Locale.ROOT, "%-10s  starting the gateway on it…%n", store.name());
        try (GatewayProcess gateway = GatewayProcess.start("gateway-" + store.name(), repoRoot, pki, policies, work,
                store.url(), store.user(), jvm, Duration.ofMinutes(3))) {
            ManagedChannel channel = ClientChannels.open(new InetSocketAddress("127.0.0.1", gateway.grpcPort()),
                    ClientChannels.clientContext(pki, "alpha-credit"));
            try {
                System.out.printf(Locale.ROOT, "%-10s  %,d ratings of warm-up, then %,d measured…%n", store.name(), warmup, items);
                check(IngestStream.run(channel, warm, batchSize, window, ack -> { }), warmup, gateway);
                result = check(IngestStream.run(channel, measured, batchSize, window, ack -> { }), items, gateway);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        List<byte[]> payloads = new ArrayList<>(items);
        List<String> subjects = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            payloads.add(ratings.item(warmup + i).toByteArray());
            subjects.add(Ratings.resident(warmup + i));
        }
        System.out.printf(Locale.ROOT, "%-10s  the same rows by raw JDBC batch inserts…%n", store.name());
        RawInsert.rowsPerSecond(store, "raw-warmup", payloads.subList(0, Math.min(items, warmup)),
                subjects.subList(0, Math.min(items, warmup)), batchSize);
        double raw = RawInsert.rowsPerSecond(store, "raw-baseline", payloads, subjects, batchSize);
        StoreResult r = new StoreResult(store.name(), items, result.itemsPerSecond(), raw, result.rejected());
        System.out.printf(Locale.ROOT, "%-10s  gateway %,.0f ratings/s   raw JDBC batch insert %,.0f rows/s   ratio %.0f%%%n",
                r.store(), r.itemsPerSecond(), r.rawRowsPerSecond(), 100 * r.ratio());
        return r;
    }

    private static IngestStream.Result check(IngestStream.Result r, long expected, GatewayProcess gateway) throws IOException {
        if (r.error() != null || r.accepted() != expected) {
            throw new IOException("ingestion did not complete (" + r.accepted() + " of " + expected + " accepted, "
                    + r.rejected() + " rejected" + (r.error() == null ? "" : ", " + r.error()) + "); see " + gateway.log());
        }
        return r;
    }

    private void write(List<StoreResult> results, Instant started, String loadBefore, String loadAfter) throws IOException {
        StringBuilder js = new StringBuilder("{\n");
        js.append("  \"benchmark\": \"ingest\",\n  \"started\": \"").append(started).append("\",\n");
        js.append("  \"cpus\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
        js.append("  \"loadAverageBefore\": \"").append(loadBefore).append("\",\n");
        js.append("  \"loadAverageAfter\": \"").append(loadAfter).append("\",\n");
        js.append("  \"items\": ").append(items).append(", \"warmupItems\": ").append(warmup)
                .append(", \"batchSize\": ").append(batchSize).append(", \"window\": ").append(window).append(",\n");
        js.append("  \"targets\": {\"itemsPerSecond\": ").append((long) TARGET_ITEMS_PER_SECOND)
                .append(", \"ratioToRawInsert\": ").append(TARGET_RATIO).append("},\n  \"stores\": [\n");
        for (int i = 0; i < results.size(); i++) {
            StoreResult r = results.get(i);
            js.append(String.format(Locale.ROOT, "    {\"store\": \"%s\", \"itemsPerSecond\": %.0f, \"rawInsertRowsPerSecond\": %.0f,"
                            + " \"ratio\": %.3f, \"rejected\": %d, \"meetsItemsTarget\": %b, \"meetsRatioTarget\": %b}%s%n",
                    r.store(), r.itemsPerSecond(), r.rawRowsPerSecond(), r.ratio(), r.rejected(),
                    r.itemsPerSecond() >= TARGET_ITEMS_PER_SECOND, r.ratio() >= TARGET_RATIO, i + 1 < results.size() ? "," : ""));
        }
        js.append("  ]\n}\n");
        Files.writeString(out.resolve("ingest.json"), js.toString());
        StringBuilder md = new StringBuilder("## Ingestion (signed ratings over mTLS into the gateway)\n\n");
        md.append(String.format(Locale.ROOT, "Run %s on %d CPUs, load average before %s, after %s. %,d ratings measured after %,d"
                        + " warm-up, signed batches of %d, %d batches in flight, one stream, alpha-credit's certificate, no token.%n%n",
                started, Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, items, warmup, batchSize, window));
        md.append("| store | gateway ratings/s | raw JDBC batch insert rows/s | ratio | ≥ 20,000/s | ≥ 50% |\n|---|---:|---:|---:|---|---|\n");
        for (StoreResult r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.0f%% | %s | %s |%n", r.store(), r.itemsPerSecond(),
                    r.rawRowsPerSecond(), 100 * r.ratio(), r.itemsPerSecond() >= TARGET_ITEMS_PER_SECOND ? "yes" : "no",
                    r.ratio() >= TARGET_RATIO ? "yes" : "no"));
        }
        Files.writeString(out.resolve("ingest.md"), md.toString());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @picocli.CommandLine.Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Stream signed ratings over mTLS into the built gateway on H2 and PostgreSQL, beside the same "
                    + "store's raw JDBC batch-insert rate; writes ingest.json and ingest.md to OUT.")
    public static final class Command implements java.util.concurrent.Callable<Integer> {

        @picocli.CommandLine.Parameters(paramLabel = "OUT", description = "directory for ingest.json and ingest.md")
        Path out;

        @picocli.CommandLine.Option(names = "--root", defaultValue = ".", description = "repository root (default: .)")
        Path root;

        @picocli.CommandLine.Option(names = "--quick", description = "60,000 ratings per store instead of 300,000")
        boolean quick;

        @picocli.CommandLine.Option(names = "--stores", split = ",", defaultValue = "h2,postgresql",
                description = "h2, postgresql or both (default: ${DEFAULT-VALUE})")
        List<String> stores;

        @picocli.CommandLine.Option(names = "--batch-size", defaultValue = "1000", description = "items per signed batch (default: ${DEFAULT-VALUE})")
        int batchSize;

        @picocli.CommandLine.Option(names = "--window", defaultValue = "4", description = "batches in flight (default: ${DEFAULT-VALUE})")
        int window;

        @picocli.CommandLine.Option(names = "--profile", description = "record the gateway with JFR (OUT/ingest-<store>.jfr)")
        boolean profile;

        @Override
        public Integer call() throws Exception {
            for (String s : stores) {
                if (!s.equals("h2") && !s.equals("postgresql")) {
                    throw new cxg.bench.load.BenchInputException("--stores: h2 or postgresql, not '" + s + "'");
                }
            }
            if (batchSize < 1 || batchSize > 1000 || window < 1) {
                throw new cxg.bench.load.BenchInputException("--batch-size must be 1..1000 and --window at least 1");
            }
            new IngestBench(root, out, quick, batchSize, window, profile).run(stores);
            System.out.println("wrote " + out.resolve("ingest.json") + " and " + out.resolve("ingest.md"));
            return 0;
        }
    }
}
