package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * The audit part of one query's CPU, outside the gateway: build an entry as the query path does (a court query
 * allowed with FULL disclosure), then either only encode it ({@code build}) or record it through an {@link AuditLog}
 * on a directory store with {@code outstanding} entries in flight from two threads, as two event loops would
 * ({@code record}). Prints ns of CPU per entry: the building thread's for {@code build}, the whole process's for
 * {@code record} (appending threads, the writer, tile writers and fsyncs). For same-run A/B runs of two builds:
 * {@code java -cp <classes of A or B>:... cxg.gateway.audit.bench.EntryCost build|record N [outstanding] [fsync]}.
 */
public final class EntryCost {

    private static final Decision ALLOWED = Decision.allow("agreements.yaml#court-enforcement", "granted", Disclosure.FULL,
            Set.of("FINANCIAL", "JUDICIAL"));
    private static final String[] SUBJECTS = {"11010519491231002X", "91350100M000100Y43", "31010119800101123X", "44030519900202456Y"};

    private EntryCost() {
    }

    static AuditEntry entry(AuditRecorder recorder, int i, String requestId) {
        return recorder.entry("cxg.v1.QueryService", "QueryScore")
                .caller("court", "AGENCY")
                .purpose("court-enforcement")
                .subject(SUBJECTS[i & 3])
                .categoriesRequested(new HashSet<>(List.of("JUDICIAL", "FINANCIAL")))
                .categoriesServed(List.of("FINANCIAL", "JUDICIAL"))
                .decision(ALLOWED)
                .requestId(requestId)
                .outcome("OK");
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int n = Integer.parseInt(args[1]);
        int outstanding = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        boolean fsync = args.length > 3 && Boolean.parseBoolean(args[3]);
        SubjectHasher hasher = new SubjectHasher(new byte[32]);
        String[] ids = new String[1024];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = UUID.randomUUID().toString();
        }
        if (mode.equals("build")) {
            AuditRecorder recorder = new AuditRecorder(null, hasher, Clock.systemUTC());
            long sink = 0;
            for (int round = 0; round < 6; round++) {
                long cpu0 = threadCpu();
                for (int i = 0; i < n; i++) {
                    sink += entry(recorder, i, ids[i & 1023]).toBytes().length;
                }
                long cpu = threadCpu() - cpu0;
                if (round >= 2) {
                    System.out.printf(Locale.ROOT, "build ns/entry %.0f%n", (double) cpu / n);
                }
            }
            System.out.println("sink " + sink);
            return;
        }
        if (mode.equals("appends")) {
            appends(n, Integer.parseInt(args[2]));
            return;
        }
        Path dir = Files.createTempDirectory("cxg-entry-cost");
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir, fsync), NoteSigner.generate("bench/audit"),
                AuditLog.Options.defaults("bench/audit"))) {
            AuditRecorder recorder = new AuditRecorder(log, hasher, Clock.systemUTC());
            for (int round = 0; round < 6; round++) {
                long cpu0 = processCpu();
                long t0 = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int id = t;
                    Thread th = new Thread(() -> {
                        Semaphore window = new Semaphore(outstanding / 2);
                        CompletableFuture<?> last = null;
                        for (int i = id; i < n; i += 2) {
                            window.acquireUninterruptibly();
                            last = recorder.record(entry(recorder, i, ids[i & 1023])).toCompletableFuture()
                                    .whenComplete((x, e) -> window.release());
                        }
                        last.join();
                        window.acquireUninterruptibly(outstanding / 2);
                    });
                    th.start();
                    threads.add(th);
                }
                for (Thread th : threads) {
                    th.join();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long cpu = processCpu() - cpu0;
                if (round >= 2) {
                    System.out.printf(Locale.ROOT, "record cpu ns/entry %.0f  entries/s %.0f%n", (double) cpu / n, n / seconds);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * What {@code ./cxg bench audit} measures of the directory store, alone: 400-byte entries appended with 8,192
     * outstanding against raw fsync'd 408-byte record appends (1,000 per fdatasync), {@code rounds} times in turn.
     */
    private static void appends(int n, int rounds) throws Exception {
        byte[] base = new byte[400];
        new java.util.Random(1).nextBytes(base);
        for (int round = 0; round < rounds; round++) {
            Path dir = Files.createTempDirectory("cxg-entry-cost");
            try {
                double raw;
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("raw.log"),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1000 * 408);
                    long t0 = System.nanoTime();
                    for (int done = 0; done < n; done += 1000) {
                        buf.clear();
                        for (int k = 0; k < 1000; k++) {
                            buf.putInt(400).putInt(done + k).put(base);
                        }
                        buf.flip();
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        ch.force(false);
                    }
                    raw = n / ((System.nanoTime() - t0) / 1e9);
                }
                double rate;
                long cpu;
                try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir.resolve("log")), NoteSigner.generate("bench/audit"),
                        AuditLog.Options.defaults("bench/audit"))) {
                    List<CompletableFuture<Long>> inflight = new ArrayList<>(8192);
                    long cpu0 = processCpu();
                    long main0 = threadCpu();
                    long writer0 = ThreadCpu.writer();
                    java.util.Map<String, Long> all0 = ThreadCpu.byName();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        byte[] e = base.clone();
                        java.nio.ByteBuffer.wrap(e).putInt(i);
                        inflight.add(log.append(e).toCompletableFuture());
                        if (inflight.size() == 8192) {
                            inflight.subList(0, 4096).forEach(CompletableFuture::join);
                            inflight.subList(0, 4096).clear();
                        }
                    }
                    inflight.forEach(CompletableFuture::join);
                    rate = n / ((System.nanoTime() - t0) / 1e9);
                    cpu = processCpu() - cpu0;
                    System.out.printf(Locale.ROOT, "  producer thread cpu ns/entry %.0f  writer thread %.0f%n",
                            (double) (threadCpu() - main0) / n, (double) (ThreadCpu.writer() - writer0) / n);
                    java.util.Map<String, Long> all1 = ThreadCpu.byName();
                    all1.forEach((k, v) -> {
                        long d = v - all0.getOrDefault(k, 0L);
                        if (d > n * 50L) {
                            System.out.printf(Locale.ROOT, "    %s %.0f%n", k, (double) d / n);
                        }
                    });
                }
                System.out.printf(Locale.ROOT, "appends raw/s %.0f  audit/s %.0f  ratio %.3f  cpu ns/entry %.0f%n", raw, rate, rate / raw,
                        (double) cpu / n);
            } finally {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static long threadCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
