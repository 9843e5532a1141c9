package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import cxg.gateway.audit.SubjectHasher;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The audit write as a score query makes it, without the rest of the query: calls chained on two Vert.x event loops
 * (as the gateway's), each building its entry on its loop, recording it, and going on from the loop once the entry is
 * durable ({@code runOnContext}, as {@code QueryGrpcService} answers). Prints, per round, the CPU per entry of the event
 * loops, of the log's writer thread and of the whole process (from /proc: schedstat, voluntary context switches). Run it on
 * the class path of two builds, alternated, to compare their hand-offs (bench/JOURNAL.md, "The audit hand-off, night").
 *
 * <pre>java -cp ... cxg.gateway.audit.bench.HandOffCost OUTSTANDING ENTRIES_PER_ROUND ROUNDS FSYNC</pre>
 */
public final class HandOffCost {

    private HandOffCost() {
    }

    public static void main(String[] args) throws Exception {
        int outstanding = Integer.parseInt(args[0]);
        int perRound = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean fsync = Boolean.parseBoolean(args[3]);
        Path dir = Files.createTempDirectory("cxg-hand-off");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(dir, fsync), NoteSigner.generate("bench/audit"),
                new AuditLog.Options("bench/audit", 4096, java.time.Duration.ofSeconds(10), 4096))) {
            AuditRecorder recorder = new AuditRecorder(log, new SubjectHasher(new byte[32]), Clock.systemUTC());
            Context[] loops = {vertx.getOrCreateContext(), vertx.getOrCreateContext()};
            for (int round = 0; round < rounds + 2; round++) {
                Map<String, long[]> before = threads();
                long t0 = System.nanoTime();
                AtomicLong left = new AtomicLong(perRound);
                CountDownLatch done = new CountDownLatch(outstanding);
                for (int c = 0; c < outstanding; c++) {
                    Context loop = loops[c % loops.length];
                    loop.runOnContext(ignored -> next(recorder, loop, left, done));
                }
                done.await();
                long wall = System.nanoTime() - t0;
                Map<String, long[]> after = threads();
                if (round >= 2) {
                    long[] all = delta(before, after, "");
                    long[] loopCpu = delta(before, after, "vert.x-eventloo");
                    long[] writer = delta(before, after, "audit-log-write");
                    System.out.printf(Locale.ROOT,
                            "outstanding %d fsync %s: entries/s %.0f  CPU us/entry: process %.2f, event loops %.2f, writer %.2f;"
                                    + " voluntary switches/entry: event loops %.3f, writer %.3f%n",
                            outstanding, fsync, perRound / (wall / 1e9), all[0] / 1e3 / perRound, loopCpu[0] / 1e3 / perRound,
                            writer[0] / 1e3 / perRound, (double) loopCpu[1] / perRound, (double) writer[1] / perRound);
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One call: the entry built and recorded on the loop, the next call started from the loop once it is durable. */
    private static void next(AuditRecorder recorder, Context loop, AtomicLong left, CountDownLatch done) {
        long n = left.getAndDecrement();
        if (n <= 0) {
            done.countDown();
            return;
        }
        recorder.record(EntryCost.entry(recorder, (int) n, "req-" + n)).whenComplete((index, error) -> {
            if (error != null) {
                System.err.println("audit write failed: " + error);
                System.exit(1);
            }
            loop.runOnContext(ignored -> next(recorder, loop, left, done));
        });
    }

    /** CPU ns (schedstat) and voluntary context switches of every thread, by {@code comm} name and thread id, from /proc. */
    private static Map<String, long[]> threads() throws Exception {
        Map<String, long[]> m = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name = Files.readString(task.resolve("comm")).trim();
                long cpu = Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
                long switches = 0;
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        switches = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                m.put(name + "#" + task.getFileName(), new long[] {cpu, switches});
            }
        }
        return m;
    }

    private static long[] delta(Map<String, long[]> before, Map<String, long[]> after, String prefix) {
        long[] d = new long[2];
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                long[] b = before.getOrDefault(e.getKey(), new long[2]);
                d[0] += e.getValue()[0] - b[0];
                d[1] += e.getValue()[1] - b[1];
            }
        }
        return d;
    }
}
