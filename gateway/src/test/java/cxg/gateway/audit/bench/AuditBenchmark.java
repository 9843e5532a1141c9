package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.Bundle;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.ForwardingLogStore;
import cxg.gateway.audit.LogStore;
import cxg.gateway.audit.Merkle;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.PostgresLogStore;
import cxg.gateway.audit.Tile;
import cxg.gateway.testing.BenchArgs;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The audit log benchmark (issue 5), a plain harness, not a test: durable appends with group commit on
 * the directory store and on PostgreSQL, each beside the raw rate of the same medium measured in the
 * same run (400-byte records appended and fsync'd 1,000 at a time; plain JDBC batch inserts of 1,000
 * rows per commit, {@code synchronous_commit=on}), the bytes stored per entry, and inclusion and
 * consistency proofs at 1M entries on both stores. Writes {@code audit.json} and {@code audit.md} to the
 * output directory. Run with {@code ./cxg bench audit [--quick] [--out DIR]}.
 */
public final class AuditBenchmark {

    private static final int RECORD = 400;
    private static final int RAW_BATCH = 1000;
    /** Appends outstanding at once: many concurrent requests, each waiting for its entry. */
    private static final int WINDOW = 8192;
    /** The issue's figures for this machine, from which the targets as ratios follow. */
    private static final double DIR_TARGET = 100_000;
    private static final double DIR_RAW_QUOTED = 440_000;
    private static final double PG_TARGET = 50_000;
    private static final double PG_RAW_QUOTED = 98_000;
    private static final double PROOF_TARGET_US = 100;
    private static final Set<String> SECTIONS = new LinkedHashSet<>(List.of("appends", "latency", "proofs"));
    /**
     * Concurrent writers in the per-entry wait measurement: one request alone, a few (every one of them soon in the
     * group, where a commit delay can only cost), and many at once.
     */
    private static final int[] WRITERS = {1, 4, 64};

    private final Path out;
    private final Path work;
    private final boolean quick;
    /** Sections to run: appends (rates and bytes), latency (per-entry wait), proofs. */
    private final Set<String> only;
    private final int entries;
    private final int proofSize;
    private final int samples;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();

    private AuditBenchmark(Path out, Path work, boolean quick, Set<String> only) {
        this.out = out;
        this.work = work;
        this.quick = quick;
        this.only = only;
        this.entries = quick ? 20_000 : 300_000;
        this.proofSize = quick ? 50_000 : 1_000_000;
        this.samples = quick ? 2_000 : 20_000;
    }

    /** The command line: {@link BenchArgs} and the sections to run. */
    static final class Args {
        @Mixin
        BenchArgs common;

        @Option(names = "--only", split = ",", paramLabel = "SECTION", description = "appends, latency, proofs (default: all)")
        Set<String> only;

        Set<String> sections() {
            return only != null ? only : SECTIONS;
        }

        /** @throws ParameterException naming the argument that is wrong, an unknown section included */
        static Args parse(String... args) {
            Args parsed = BenchArgs.parse(new Args(), args);
            if (!SECTIONS.containsAll(parsed.sections())) {
                throw new ParameterException(new CommandLine(parsed), "--only takes sections from " + String.join(",", SECTIONS)
                        + ", not '" + String.join(",", parsed.only) + "'");
            }
            return parsed;
        }
    }

    public static void main(String[] args) throws Exception {
        Args parsed;
        try {
            parsed = Args.parse(args);
        } catch (ParameterException e) {
            System.err.println("audit bench: " + e.getMessage() + " (usage: audit-bench --out DIR [--quick] [--only appends,latency,proofs])");
            System.exit(2);
            return;
        }
        BenchArgs a = parsed.common;
        Set<String> only = parsed.sections();
        Files.createDirectories(a.out());
        Path work = Files.createTempDirectory("cxg-audit-bench");
        try {
            new AuditBenchmark(a.out(), work, a.quick(), only).run();
        } finally {
            deleteTree(work);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        results.put("started", Instant.now().toString());
        results.put("quick", quick);
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        results.put("loadAverageBefore", loadBefore);

        Map<String, Object> dir = directory();
        Map<String, Object> pg;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .start()) {
            pg = postgres(postgres);
        }
        results.put("directory", dir);
        results.put("postgresql", pg);
        results.put("seconds", Math.round((System.nanoTime() - started) / 1e9));
        results.put("loadAverageAfter", loadAverage());
        results.put("targets", targets(dir, pg));
        Files.writeString(out.resolve("audit.json"), Json.write(results) + "\n");
        Files.writeString(out.resolve("audit.md"), markdown(dir, pg));
        System.out.print(md);
        System.out.println("audit bench: wrote " + out.resolve("audit.json") + " and " + out.resolve("audit.md"));
    }

    // ------------------------------------------------------------------ directory store

    private Map<String, Object> directory() throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        if (only.contains("appends")) {
            directoryAppends(r);
        }
        if (only.contains("latency")) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("rawFdatasyncAppend", rawWaits(work.resolve("raw-latency.log"), latencySamples(1), false));
            l.put("rawFdatasyncOverwrite", rawWaits(work.resolve("raw-latency-pre.log"), latencySamples(1), true));
            for (String setting : LATENCY_SETTINGS) {
                boolean fsync = !setting.equals("noFsync");
                Path dir = work.resolve("dir-latency-" + setting);
                for (int writers : WRITERS) {
                    Counting store = new Counting(DirectoryLogStore.open(dir, fsync));
                    try (AuditLog log = open(store, setting, writers)) {
                        l.put(setting + writers, waits(log, store, writers));
                    }
                }
                deleteTree(dir);
            }
            r.put("latency", l);
        }
        if (only.contains("proofs")) {
            Path proofDir = work.resolve("dir-proofs");
            try (AuditLog log = AuditLog.open(DirectoryLogStore.open(proofDir), NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
                appends(log, proofSize, 100, 2);
                log.checkpoint().toCompletableFuture().join();
            }
            // Reopened: the tile cache starts empty, as after a restart.
            Counting reads = new Counting(DirectoryLogStore.open(proofDir));
            try (AuditLog log = AuditLog.open(reads, NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
                r.put("proofs", proofs(log, reads));
            }
            deleteTree(proofDir);
        }
        return r;
    }

    private void directoryAppends(Map<String, Object> r) throws Exception {
        // Both sides once untimed first, so that both rates are of compiled code, as in a running gateway: measured cold,
        // the first 300,000 appends ran the log's code (SHA-256, CRC32C, the hand-off) partly interpreted, 2-4x the CPU
        // per entry of the producer and the writer threads, while the raw loop is mostly system calls.
        rawFileAppends(work.resolve("warm-up.log"), entries / 3);
        Path warmUp = work.resolve("warm-up-log");
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(warmUp), NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
            appends(log, entries / 3, RECORD, 9);
        }
        deleteTree(warmUp);
        Files.delete(work.resolve("warm-up.log"));
        double raw = rawFileAppends(work.resolve("raw.log"), entries);
        Path dir = work.resolve("dir-log");
        Counting store = new Counting(DirectoryLogStore.open(dir));
        double rate;
        long writerCpu;
        try (AuditLog log = AuditLog.open(store, NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
            long cpu0 = ThreadCpu.writer();
            rate = appends(log, entries, RECORD, 1);
            writerCpu = ThreadCpu.writer() - cpu0;
        }
        r.put("entries", entries);
        // CPU the single writer thread spends per entry: what caps the rate once the disk keeps up, and less
        // sensitive than rates to other processes on the machine
        r.put("writerCpuMicrosPerEntry", round(writerCpu / 1e3 / entries, 2));
        r.put("rawAppendsPerSecond", Math.round(raw));
        r.put("auditAppendsPerSecond", Math.round(rate));
        r.put("ratio", round(rate / raw, 3));
        r.put("groupCommits", store.commits);
        r.put("meanGroup", round((double) store.entries / Math.max(1, store.commits), 1));
        r.put("checkpoints", store.checkpoints);
        // entries/: the records (each entry once) plus the zero-filled room ahead of the writer, at most two segments
        long segments = treeSize(dir.resolve("entries"));
        long records = (long) entries * (RECORD + 8);
        long preallocated = segments - records;
        long index = Files.size(dir.resolve("entries.idx"));
        long tiles = treeSize(dir.resolve("tile"));
        long other = treeSize(dir) - segments - index - tiles;
        Map<String, Object> bytes = new LinkedHashMap<>();
        bytes.put("entryBytes", RECORD);
        bytes.put("entryRecords", round((double) records / entries, 1));
        bytes.put("entryIndex", round((double) index / entries, 2));
        bytes.put("tiles", round((double) tiles / entries, 1));
        bytes.put("checkpointsAndState", round((double) other / entries, 1));
        bytes.put("total", round((double) (records + index + tiles + other) / entries, 1));
        bytes.put("preallocatedBytes", preallocated);
        bytes.put("rawFile", round((double) Files.size(work.resolve("raw.log")) / entries, 1));
        r.put("bytesPerEntry", bytes);
        deleteTree(dir);
    }

    /**
     * The per-entry wait's settings, on both stores: durable without a commit delay (the library's default), durable with
     * the gateway's commit delay, and not durable (no fsync; PostgreSQL: synchronous_commit=off).
     */
    private static final List<String> LATENCY_SETTINGS = List.of("fsync", "fsyncGrouped", "noFsync");

    /** With the gateway's commit delay, the writers are its callers in flight: each is, from its append to its acknowledgement. */
    private static AuditLog open(LogStore store, String setting, int writers) {
        NoteSigner signer = NoteSigner.generate("bench/audit");
        return setting.equals("fsyncGrouped") ? AuditLog.open(store, signer, AuditLog.Options.gatewayGrouping("bench/audit"), () -> writers)
                : AuditLog.open(store, signer, AuditLog.Options.defaults("bench/audit"));
    }

    private int latencySamples(int writers) {
        return (quick ? 300 : 3000) / Math.min(writers, 10);
    }

    /**
     * What one request waits for its entry: {@code writers} threads each append one 400-byte entry and wait
     * until it is durable, then the next; microseconds from append to acknowledgement (mean, p50, p99).
     */
    private Map<String, Object> waits(AuditLog log, Counting store, int writers) throws Exception {
        int n = latencySamples(writers);
        int warmup = n / 10;
        long[][] nanos = new long[writers][n];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                byte[] base = record(RECORD, 3 + id);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < warmup + n; i++) {
                    byte[] e = base.clone();
                    ByteBuffer.wrap(e).putInt(i);
                    long t0 = System.nanoTime();
                    log.append(e).toCompletableFuture().join();
                    if (i >= warmup) {
                        nanos[id][i - warmup] = System.nanoTime() - t0;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long commits0 = store.commits;
        long entries0 = store.entries;
        long writer0 = ThreadCpu.writer();
        long machine0 = machineBusyNanos();
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long machine = machineBusyNanos() - machine0;
        long entries = store.entries - entries0;
        Map<String, Object> r = stats(Arrays.stream(nanos).flatMapToLong(Arrays::stream).toArray());
        r.put("writers", writers);
        r.put("entriesPerSecond", Math.round(entries / seconds));
        r.put("meanGroup", round((double) entries / Math.max(1, store.commits - commits0), 1));
        r.put("writerCpuMicrosPerEntry", round((ThreadCpu.writer() - writer0) / 1e3 / entries, 1));
        if (machine0 >= 0) {
            // every process and kernel thread: PostgreSQL's backends and WAL writer, the fsyncs' kworkers, the writers here
            r.put("machineCpuMicrosPerEntry", round(machine / 1e3 / entries, 1));
        }
        return r;
    }

    /** CPU time the whole machine has been busy (not idle, not waiting for I/O) from /proc/stat, or -1 off Linux. */
    private static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) { // user, nice, system, irq, softirq
                ticks += Long.parseLong(f[i]);
            }
            return ticks * 10_000_000L; // USER_HZ: 100 ticks per second on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The medium alone: one 408-byte record written and fdatasync'd at a time, appended or overwriting a zero-filled file. */
    private static Map<String, Object> rawWaits(Path file, int n, boolean prefilled) throws IOException {
        int warmup = n / 10;
        long[] nanos = new long[n];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (prefilled) {
                ByteBuffer zeros = ByteBuffer.allocate((warmup + n) * (RECORD + 8));
                while (zeros.hasRemaining()) {
                    ch.write(zeros);
                }
                ch.force(true);
            }
            byte[] record = record(RECORD, 1);
            ByteBuffer buf = ByteBuffer.allocateDirect(RECORD + 8);
            long pos = 0;
            for (int i = 0; i < warmup + n; i++) {
                buf.clear();
                buf.putInt(record.length).putInt(i).put(record).flip();
                long t0 = System.nanoTime();
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                ch.force(false);
                if (i >= warmup) {
                    nanos[i - warmup] = System.nanoTime() - t0;
                }
            }
        }
        Files.delete(file);
        return stats(nanos);
    }

    private static Map<String, Object> stats(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("samples", sorted.length);
        r.put("meanMicros", round(Arrays.stream(sorted).sum() / 1e3 / sorted.length, 1));
        r.put("p50Micros", round(sorted[sorted.length / 2] / 1e3, 1));
        r.put("p99Micros", round(sorted[(int) (sorted.length * 0.99)] / 1e3, 1));
        return r;
    }

    /** The medium's raw rate: 400-byte records with an 8-byte header appended to one file, fsync'd every 1,000. */
    private static double rawFileAppends(Path file, int n) throws IOException {
        byte[] record = record(RECORD, 1);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(RAW_BATCH * (record.length + 8));
            long t0 = System.nanoTime();
            for (int done = 0; done < n; done += RAW_BATCH) {
                buf.clear();
                for (int i = 0; i < RAW_BATCH; i++) {
                    buf.putInt(record.length).putInt(done + i).put(record);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    // ------------------------------------------------------------------ PostgreSQL

    private Map<String, Object> postgres(EmbeddedPostgres postgres) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        if (only.contains("appends")) {
            postgresAppends(postgres, r);
        }
        if (only.contains("latency")) {
            Map<String, Object> l = new LinkedHashMap<>();
            for (String setting : LATENCY_SETTINGS) {
                boolean sync = !setting.equals("noFsync");
                for (int writers : WRITERS) {
                    Counting store = new Counting(PostgresLogStore.open(database(postgres, "latency_" + setting.toLowerCase(Locale.ROOT) + "_" + writers), sync));
                    try (AuditLog log = open(store, setting, writers)) {
                        l.put(setting + writers, waits(log, store, writers));
                    }
                }
            }
            r.put("latency", l);
        }
        if (only.contains("proofs")) {
            DataSource proofDb = database(postgres, "proofs");
            try (AuditLog log = AuditLog.open(PostgresLogStore.open(proofDb), NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
                appends(log, proofSize, 100, 2);
                log.checkpoint().toCompletableFuture().join();
            }
            Counting reads = new Counting(PostgresLogStore.open(proofDb));
            try (AuditLog log = AuditLog.open(reads, NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
                r.put("proofs", proofs(log, reads));
            }
        }
        return r;
    }

    private void postgresAppends(EmbeddedPostgres postgres, Map<String, Object> r) throws Exception {
        DataSource rawDb = database(postgres, "raw");
        double raw = rawBatchInserts(rawDb, entries);
        double rawOneStatement = rawUnnestInserts(database(postgres, "raw_unnest"), entries);
        DataSource db = database(postgres, "audit");
        Counting store = new Counting(PostgresLogStore.open(db));
        double rate;
        try (AuditLog log = AuditLog.open(store, NoteSigner.generate("bench/audit"), AuditLog.Options.defaults("bench/audit"))) {
            rate = appends(log, entries, RECORD, 1);
        }
        r.put("entries", entries);
        r.put("synchronousCommit", setting(db, "synchronous_commit"));
        r.put("fsync", setting(db, "fsync"));
        r.put("rawInsertsPerSecond", Math.round(raw));
        r.put("rawOneStatementInsertsPerSecond", Math.round(rawOneStatement));
        r.put("ratioToOneStatementInserts", round(rate / rawOneStatement, 3));
        r.put("auditAppendsPerSecond", Math.round(rate));
        r.put("ratio", round(rate / raw, 3));
        r.put("groupCommits", store.commits);
        r.put("meanGroup", round((double) store.entries / Math.max(1, store.commits), 1));
        r.put("checkpoints", store.checkpoints);
        Map<String, Object> bytes = new LinkedHashMap<>();
        bytes.put("entryBytes", RECORD);
        long entryBytes = relationSize(db, "audit_entry");
        long tileBytes = relationSize(db, "audit_tile");
        long checkpointBytes = relationSize(db, "audit_checkpoint");
        bytes.put("auditEntryTable", round((double) entryBytes / entries, 1));
        bytes.put("auditTileTable", round((double) tileBytes / entries, 1));
        bytes.put("auditCheckpointTable", round((double) checkpointBytes / entries, 1));
        bytes.put("total", round((double) (entryBytes + tileBytes + checkpointBytes) / entries, 1));
        bytes.put("rawTable", round((double) relationSize(rawDb, "raw_rows") / entries, 1));
        r.put("bytesPerEntry", bytes);
    }

    private static DataSource database(EmbeddedPostgres postgres, String name) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return postgres.getDatabase("postgres", name);
    }

    /** Plain JDBC: a prepared INSERT batched 1,000 rows at a time, one commit per batch. */
    private static double rawBatchInserts(DataSource db, int n) throws Exception {
        byte[] record = record(RECORD, 1);
        try (Connection c = db.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE raw_rows (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO raw_rows (idx, data) VALUES (?, ?)")) {
                for (int done = 0; done < n; done += RAW_BATCH) {
                    for (int i = 0; i < RAW_BATCH; i++) {
                        ps.setLong(1, done + i);
                        ps.setBytes(2, record);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** The same rows, 1,000 per commit, as one INSERT of an unnested array each: what the audit store does. */
    private static double rawUnnestInserts(DataSource db, int n) throws Exception {
        byte[] record = record(RECORD, 1);
        byte[][] rows = new byte[RAW_BATCH][];
        Arrays.fill(rows, record);
        try (Connection c = db.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE raw_rows (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO raw_rows (idx, data) SELECT ? + n - 1, d FROM unnest(?::bytea[]) WITH ORDINALITY AS t(d, n)")) {
                for (int done = 0; done < n; done += RAW_BATCH) {
                    ps.setLong(1, done);
                    ps.setArray(2, c.createArrayOf("bytea", rows));
                    ps.executeUpdate();
                    c.commit();
                }
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static String setting(DataSource db, String name) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long relationSize(DataSource db, String table) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------ shared

    /** Appends {@code n} entries with {@link #WINDOW} outstanding; entries/s until the last is durable. */
    private static double appends(AuditLog log, int n, int size, int seed) {
        byte[] base = record(size, seed);
        List<CompletableFuture<Long>> inflight = new ArrayList<>(WINDOW);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            byte[] e = base.clone();
            ByteBuffer.wrap(e).putInt(i);
            inflight.add(log.append(e).toCompletableFuture());
            if (inflight.size() == WINDOW) {
                inflight.subList(0, WINDOW / 2).forEach(CompletableFuture::join);
                inflight.subList(0, WINDOW / 2).clear();
            }
        }
        inflight.forEach(CompletableFuture::join);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private Map<String, Object> proofs(AuditLog log, Counting store) {
        long size = log.size();
        byte[] root = log.rootHash(size);
        Random random = new Random(7);
        // Correctness first: a fast wrong proof is no result.
        for (int i = 0; i < 50; i++) {
            long index = (long) (random.nextDouble() * size);
            if (!Merkle.verifyInclusion(index, size, Merkle.leafHash(log.entry(index)), log.inclusionProof(index, size), root)) {
                throw new IllegalStateException("inclusion proof of " + index + " does not verify");
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("treeSize", size);
        r.put("samples", samples);
        long reads = store.tileReads;
        store.readNanos.clear();
        r.put("inclusionFirstPass", timeProofs(log, size, new Random(11), false));
        r.put("storeReadsFirstPass", store.tileReads - reads);
        // what a cold proof is made of: the store read of its missing tile, then rehashing the tile's 255 inner nodes
        r.put("storeReadFirstPass", stats(store.readNanos.stream().mapToLong(Long::longValue).toArray()));
        r.put("tileRehash", rehashTimes());
        r.put("inclusionSecondPass", timeProofs(log, size, new Random(11), false));
        r.put("consistency", timeProofs(log, size, new Random(13), true));
        return r;
    }

    /** Time to rehash a full tile's 255 inner nodes from its 256 hashes, as a proof does on a tile it just read. */
    private Map<String, Object> rehashTimes() {
        byte[] tile = record(256 * Merkle.HASH_SIZE, 5);
        long[] nanos = new long[samples / 10];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            byte[][] row = new byte[256][];
            for (int k = 0; k < 256; k++) {
                row[k] = Arrays.copyOfRange(tile, k * Merkle.HASH_SIZE, (k + 1) * Merkle.HASH_SIZE);
            }
            for (int n = 128; n >= 1; n /= 2) {
                for (int k = 0; k < n; k++) {
                    row[k] = Merkle.nodeHash(row[2 * k], row[2 * k + 1]);
                }
            }
            nanos[i] = System.nanoTime() - t0;
        }
        return stats(nanos);
    }

    /** Microseconds per proof over random leaves (or random first sizes): mean, p50, p99. */
    private Map<String, Object> timeProofs(AuditLog log, long size, Random random, boolean consistency) {
        long[] nanos = new long[samples];
        long sink = 0;
        for (int i = 0; i < samples; i++) {
            long x = 1 + (long) (random.nextDouble() * (size - 1));
            long t0 = System.nanoTime();
            sink += consistency ? log.consistencyProof(x, size).size() : log.inclusionProof(x, size).size();
            nanos[i] = System.nanoTime() - t0;
        }
        if (sink == 0) {
            throw new IllegalStateException("empty proofs");
        }
        long total = Arrays.stream(nanos).sum();
        Arrays.sort(nanos);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("meanMicros", round(total / 1e3 / samples, 1));
        r.put("p50Micros", round(nanos[samples / 2] / 1e3, 1));
        r.put("p99Micros", round(nanos[(int) (samples * 0.99)] / 1e3, 1));
        return r;
    }

    private static byte[] record(int size, int seed) {
        byte[] r = new byte[size];
        new Random(seed).nextBytes(r);
        return r;
    }

    private List<Object> targets(Map<String, Object> dir, Map<String, Object> pg) {
        List<Object> t = new ArrayList<>();
        if (dir.containsKey("ratio")) {
            t.add(target("directory store durable appends vs raw fsync'd appends", DIR_TARGET / DIR_RAW_QUOTED, (Double) dir.get("ratio"),
                    "ratio", ">= 100,000/s where the raw rate is 440,000/s"));
            t.add(target("PostgreSQL durable appends vs raw batch inserts", PG_TARGET / PG_RAW_QUOTED, (Double) pg.get("ratio"),
                    "ratio", ">= 50,000/s where the raw rate is 98,000/s"));
        }
        for (Map.Entry<String, Map<String, Object>> p : List.of(Map.entry("directory", dir), Map.entry("PostgreSQL", pg))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> proofs = (Map<String, Object>) p.getValue().get("proofs");
            if (proofs == null) {
                continue;
            }
            @SuppressWarnings("unchecked")
            double mean = (Double) ((Map<String, Object>) proofs.get("inclusionSecondPass")).get("meanMicros");
            t.add(target("inclusion proof at " + proofs.get("treeSize") + " entries, " + p.getKey() + " store (hot tiles)", PROOF_TARGET_US, mean,
                    "µs", "<= 100 µs at 1M entries"));
        }
        return t;
    }

    private Map<String, Object> target(String what, double limit, double value, String unit, String issue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", what);
        m.put("issue", issue);
        m.put("limit", round(limit, 3));
        m.put("value", value);
        m.put("unit", unit);
        boolean ok = unit.equals("µs") ? value <= limit : value >= limit;
        m.put("met", quick ? null : ok);
        return m;
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> dir, Map<String, Object> pg) {
        md.append("# Audit log benchmark\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s cores, %s; %d s. Load average (1, 5, 15 min) before: %s, after: %s.%s%n%n",
                results.get("started"), results.get("cores"), results.get("java"), results.get("seconds"),
                results.get("loadAverageBefore"), results.get("loadAverageAfter"),
                quick ? " **--quick: checks the tooling, measures nothing.**" : ""));
        if (dir.containsKey("ratio")) {
            md.append("## Durable appends (group commit), beside the raw medium in the same run\n\n");
            md.append("| store | entries | raw medium /s | audit log /s | ratio | group commits | mean group |\n|---|---|---|---|---|---|---|\n");
            md.append(String.format(Locale.ROOT, "| directory (400 B entries; writer thread CPU %s µs per entry) | %d | %,d (fsync'd file appends, 1,000 per fsync) | %,d | %.3f | %d | %.0f |%n",
                    dir.get("writerCpuMicrosPerEntry"), dir.get("entries"), dir.get("rawAppendsPerSecond"), dir.get("auditAppendsPerSecond"), dir.get("ratio"), dir.get("groupCommits"), dir.get("meanGroup")));
            md.append(String.format(Locale.ROOT, "| PostgreSQL (synchronous_commit=%s, fsync=%s) | %d | %,d (JDBC batch inserts, 1,000 per commit) | %,d | %.3f | %d | %.0f |%n",
                    pg.get("synchronousCommit"), pg.get("fsync"), pg.get("entries"), pg.get("rawInsertsPerSecond"), pg.get("auditAppendsPerSecond"),
                    pg.get("ratio"), pg.get("groupCommits"), pg.get("meanGroup")));
            md.append(String.format(Locale.ROOT, "| PostgreSQL, against one INSERT … unnest(array) per 1,000 rows (the audit store's own statement) | %d | %,d | %,d | %.3f | | |%n%n",
                    pg.get("entries"), pg.get("rawOneStatementInsertsPerSecond"), pg.get("auditAppendsPerSecond"), pg.get("ratioToOneStatementInserts")));
            Map<String, Object> db = (Map<String, Object>) dir.get("bytesPerEntry");
            Map<String, Object> pb = (Map<String, Object>) pg.get("bytesPerEntry");
            md.append("## Bytes stored per 400-byte entry\n\n| store | total | parts | raw medium |\n|---|---|---|---|\n");
            md.append(String.format(Locale.ROOT, "| directory | %.1f | entry records %.1f (each entry once; bundles are served from them), entries.idx %.2f, hash tiles %.1f, checkpoints and state %.1f; plus %,d bytes zero-filled ahead of the writer (at most two segments of 64 MB) | %.1f (raw file) |%n",
                    db.get("total"), db.get("entryRecords"), db.get("entryIndex"), db.get("tiles"), db.get("checkpointsAndState"), db.get("preallocatedBytes"), db.get("rawFile")));
            md.append(String.format(Locale.ROOT, "| PostgreSQL | %.1f | audit_entry %.1f, audit_tile %.1f, audit_checkpoint %.1f (tables with indexes) | %.1f (raw table) |%n%n",
                    pb.get("total"), pb.get("auditEntryTable"), pb.get("auditTileTable"), pb.get("auditCheckpointTable"), pb.get("rawTable")));
        }
        if (dir.containsKey("latency")) {
            Map<String, Object> dl = (Map<String, Object>) dir.get("latency");
            Map<String, Object> pl = (Map<String, Object>) pg.get("latency");
            md.append("## Per-entry wait: append to durable acknowledgement (µs: mean / p50 / p99)\n\n");
            md.append("Each writer appends one 400-byte entry, waits until it is acknowledged, then the next (a request waiting for its entry).\n\n");
            AuditLog.Options grouped = AuditLog.Options.gatewayGrouping("bench/audit");
            md.append("CPU per entry at " + WRITERS[WRITERS.length - 1] + " writers: the log's writer thread, and the whole machine (every process "
                    + "and kernel thread, the database's included). \"The gateway's commit delay\": up to " + grouped.commitDelay().toNanos() / 1000
                    + " µs for more entries, once the group has two, while at least " + grouped.commitSiblings() + " writers are in flight (each is,"
                    + " from its append to its acknowledgement) and not all of them in the group, as the gateway does by default with its queries"
                    + " in flight.\n\n");
            StringBuilder head = new StringBuilder("| store |");
            for (int w : WRITERS) {
                head.append(' ').append(w).append(w == 1 ? " writer |" : " writers |");
            }
            int most = WRITERS[WRITERS.length - 1];
            head.append(String.format(Locale.ROOT, " entries/s at %d | mean group at %d | writer CPU µs per entry at %d | machine CPU µs per entry at %d |%n",
                    most, most, most, most));
            md.append(head).append("|---|").append("---|".repeat(WRITERS.length + 4)).append('\n');
            String blanks = " |".repeat(WRITERS.length + 3);
            md.append(String.format(Locale.ROOT, "| raw medium: one 408-byte record written + fdatasync, appended to a growing file | %s |%s%n",
                    micros(dl.get("rawFdatasyncAppend")), blanks));
            md.append(String.format(Locale.ROOT, "| raw medium: the same, overwriting a zero-filled, fsync'd file (preallocated) | %s |%s%n",
                    micros(dl.get("rawFdatasyncOverwrite")), blanks));
            for (String[] row : new String[][] {{"directory", "fsync", "directory, no commit delay"},
                    {"directory", "fsyncGrouped", "directory, the gateway's commit delay"}, {"directory", "noFsync", "directory, cxg.audit.fsync=false"},
                    {"pg", "fsync", "PostgreSQL, synchronous_commit=on, no commit delay"},
                    {"pg", "fsyncGrouped", "PostgreSQL, synchronous_commit=on, the gateway's commit delay"},
                    {"pg", "noFsync", "PostgreSQL, cxg.audit.fsync=false (synchronous_commit=off)"}}) {
                Map<String, Object> l = row[0].equals("pg") ? pl : dl;
                StringBuilder line = new StringBuilder("| " + row[2] + " |");
                for (int w : WRITERS) {
                    line.append(' ').append(micros(l.get(row[1] + w))).append(" |");
                }
                Map<String, Object> many = (Map<String, Object>) l.get(row[1] + most);
                md.append(line).append(String.format(Locale.ROOT, " %,d | %s | %s | %s |%n", many.get("entriesPerSecond"), many.get("meanGroup"),
                        many.get("writerCpuMicrosPerEntry"), many.getOrDefault("machineCpuMicrosPerEntry", "n/a")));
            }
            md.append("\n");
        }
        if (dir.containsKey("proofs")) {
            md.append("## Proofs (µs per proof: mean / p50 / p99; random leaves, log reopened so the tile cache starts empty)\n\n");
            md.append("| store | tree size | inclusion, first pass | store reads in the first pass | each such read | inclusion, second pass (hot tiles) | consistency (random first size) |\n|---|---|---|---|---|---|---|\n");
            for (Map.Entry<String, Map<String, Object>> s : List.of(Map.entry("directory", dir), Map.entry("PostgreSQL", pg))) {
                Map<String, Object> p = (Map<String, Object>) s.getValue().get("proofs");
                md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,d | %s | %s | %s |%n", s.getKey(), p.get("treeSize"),
                        micros(p.get("inclusionFirstPass")), p.get("storeReadsFirstPass"), micros(p.get("storeReadFirstPass")),
                        micros(p.get("inclusionSecondPass")), micros(p.get("consistency"))));
            }
            md.append(String.format(Locale.ROOT, "%nRehashing a tile's 255 inner nodes (what a proof adds after reading a tile): %s µs.%n",
                    micros(((Map<String, Object>) dir.get("proofs")).get("tileRehash"))));
        }
        md.append("\n## Targets (issue 5), as ratios to the raw medium where the issue gives one\n\n| target | issue | limit | measured | met |\n|---|---|---|---|---|\n");
        for (Object o : (List<Object>) results.get("targets")) {
            Map<String, Object> t = (Map<String, Object>) o;
            Object met = t.get("met");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %s %s | %s |%n", t.get("target"), t.get("issue"),
                    t.get("unit").equals("µs") ? "<=" : ">=", t.get("limit"), t.get("value"), t.get("unit"),
                    met == null ? "n/a (quick)" : (Boolean) met ? "yes" : "**no**"));
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static String micros(Object o) {
        Map<String, Object> m = (Map<String, Object>) o;
        return m.get("meanMicros") + " / " + m.get("p50Micros") + " / " + m.get("p99Micros");
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long treeSize(Path p) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).mapToLong(q -> q.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Counts group commits and checkpoints on the way to a real store. */
    private static final class Counting extends ForwardingLogStore {
        long commits;
        long entries;
        long checkpoints;
        /** Store calls that read tiles (one each: a query on PostgreSQL, a file per tile on the directory store). */
        volatile long tileReads;
        /** How long each proof's one store read of its missing tiles took. */
        final List<Long> readNanos = java.util.Collections.synchronizedList(new ArrayList<>());

        Counting(LogStore store) {
            super(store);
        }

        @Override
        public void commit(long firstIndex, List<byte[]> batch, List<Tile> fullTiles, List<Bundle> fullBundles) {
            delegate.commit(firstIndex, batch, fullTiles, fullBundles);
            if (!batch.isEmpty()) {
                commits++;
                entries += batch.size();
            }
        }

        @Override
        public void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
            delegate.checkpoint(size, partialTiles, partialBundle, signedNote);
            checkpoints++;
        }

        @Override
        public Optional<byte[]> readTile(int level, long index, int width) {
            tileReads++;
            return delegate.readTile(level, index, width);
        }

        @Override
        public Map<TileId, byte[]> readFullTiles(java.util.Collection<TileId> ids) {
            tileReads++;
            long t0 = System.nanoTime();
            Map<TileId, byte[]> out = delegate.readFullTiles(ids);
            readNanos.add(System.nanoTime() - t0);
            return out;
        }
    }

    /** Just enough JSON for the results: maps, lists, strings, numbers, booleans, null (the token benchmark's too). */
    public static final class Json {
        private Json() {
        }

        public static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(o, sb, "");
            return sb.toString();
        }

        private static void write(Object o, StringBuilder sb, String indent) {
            if (o == null) {
                sb.append("null");
            } else if (o instanceof Map<?, ?> m) {
                sb.append("{");
                String inner = indent + "  ";
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "\n" : ",\n").append(inner);
                    string(String.valueOf(e.getKey()), sb);
                    sb.append(": ");
                    write(e.getValue(), sb, inner);
                    first = false;
                }
                sb.append(first ? "}" : "\n" + indent + "}");
            } else if (o instanceof List<?> l) {
                sb.append("[");
                String inner = indent + "  ";
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "\n" : ",\n").append(inner);
                    write(l.get(i), sb, inner);
                }
                sb.append(l.isEmpty() ? "]" : "\n" + indent + "]");
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else {
                string(o.toString(), sb);
            }
        }

        private static void string(String s, StringBuilder sb) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
