package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Plain benchmark harness (not a test): durable appends on the directory store against plain
 * fsync'd appends of the same records in batches of the same size, and inclusion proofs at 1M
 * entries. Reports ratios measured in the same run.
 * Run: java -cp <gateway test classpath> cxg.gateway.audit.bench.AuditBenchmark [dir] [entries] [proofTreeSize]
 */
public final class AuditBenchmark {

    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir")), "audit-bench");
        int entries = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int proofTree = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        byte[] record = new byte[400];
        new Random(1).nextBytes(record);

        // Baseline: the medium's raw rate — 400-byte records appended and fsync'd 1,000 at a time.
        double raw = rawFsyncAppends(base.resolve("raw.log"), record, entries, 1000);
        double log = durableAppends(base.resolve("log"), record, entries);
        System.out.printf("durable appends: audit log %.0f/s, raw fsync'd appends (1000/fsync) %.0f/s, ratio %.2f%n", log, raw, log / raw);
        long bytes = Files.walk(base.resolve("log")).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        System.out.printf("bytes stored per entry (400-byte entries, entries.log + tiles + bundles): %.1f%n", (double) bytes / entries);

        proofs(base.resolve("proofs"), proofTree);
    }

    static double rawFsyncAppends(Path file, byte[] record, int n, int batch) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(batch * (record.length + 8));
            long t0 = System.nanoTime();
            for (int done = 0; done < n; done += batch) {
                buf.clear();
                for (int i = 0; i < batch; i++) {
                    buf.putInt(record.length).putInt(i).put(record);
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

    static double durableAppends(Path dir, byte[] record, int n) {
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir), NoteSigner.generate("bench/audit"),
                new AuditLog.Options("bench/audit", 1000, Duration.ofMillis(Long.getLong("checkpointMillis", 1000)), 4096))) {
            int window = 4000;
            List<CompletableFuture<Long>> inflight = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                inflight.add(log.append(record).toCompletableFuture());
                if (inflight.size() == window) {
                    inflight.get(0).join();
                    inflight.subList(0, window / 2).forEach(CompletableFuture::join);
                    inflight.subList(0, window / 2).clear();
                }
            }
            inflight.forEach(CompletableFuture::join);
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static void proofs(Path dir, int size) {
        byte[] record = new byte[64];
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir), NoteSigner.generate("bench/audit"),
                new AuditLog.Options("bench/audit", 4096, Duration.ZERO, 8192))) {
            List<CompletableFuture<Long>> inflight = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                inflight.add(log.append(record).toCompletableFuture());
                if (inflight.size() == 8000) {
                    inflight.forEach(CompletableFuture::join);
                    inflight.clear();
                }
            }
            inflight.forEach(CompletableFuture::join);
            log.checkpoint().toCompletableFuture().join();
            Random r = new Random(7);
            int n = 20_000;
            long sink = 0;
            // Cold: the tile cache is empty for most random leaves at first.
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += log.inclusionProof(r.nextInt(size), size).size();
            }
            double cold = (System.nanoTime() - t0) / 1e3 / n;
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += log.inclusionProof(r.nextInt(size), size).size();
            }
            double warm = (System.nanoTime() - t1) / 1e3 / n;
            long t2 = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                sink += log.consistencyProof(1 + r.nextInt(size - 1), size).size();
            }
            double cons = (System.nanoTime() - t2) / 1e3 / 2000;
            System.out.printf("inclusion proof at %d entries: %.1f µs (first pass), %.1f µs (second pass); consistency proof %.1f µs [%d]%n",
                    size, cold, warm, cons, sink % 10);
        }
    }
}
