package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Steady open-model appends to the directory store, as the gateway makes them under a fixed arrival rate:
 * each append is due at a fixed time, and its latency is measured from then (not from when it was sent) to
 * its durable acknowledgement, so a stall counts for every append due during it. The log runs with the
 * gateway's options (checkpoint every 10 s, groups up to 4,096). Prints the percentiles of the whole run and
 * every second whose slowest append took longer than {@code --spike-ms}, with its time from the start; the log's
 * file forces (JFR {@code jdk.FileForce} of every thread, by file kind, and the group commits' forces split by whether
 * another audit force was in flight beside them); and each store thread's CPU per append over the run.
 *
 * <pre>java -cp ... cxg.gateway.audit.bench.OpenLoadAppends --rate 3350 --seconds 60 [--bytes 700]
 *     [--checkpoint-interval 10] [--dir DIR] [--spike-ms 5] [--label NAME]</pre>
 */
public final class OpenLoadAppends {

    private OpenLoadAppends() {
    }

    public static void main(String[] args) throws Exception {
        int rate = 3350;
        int seconds = 60;
        int bytes = 700;
        int checkpointSeconds = 10;
        double spikeMs = 5;
        String label = "run";
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--bytes" -> bytes = Integer.parseInt(args[++i]);
                case "--checkpoint-interval" -> checkpointSeconds = Integer.parseInt(args[++i]);
                case "--spike-ms" -> spikeMs = Double.parseDouble(args[++i]);
                case "--label" -> label = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path work = dir != null ? dir : Files.createTempDirectory("audit-open-load");
        Random random = new Random(1);
        byte[][] entries = new byte[256][];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new byte[bytes];
            random.nextBytes(entries[i]);
        }
        AuditLog.Options options = new AuditLog.Options("bench/open-load", 4096, Duration.ofSeconds(checkpointSeconds), 1024);
        int total = rate * seconds;
        // every append's latency, by its due index (each slot written once, by whichever thread completes it)
        long[] latency = new long[total];
        double intervalNanos = 1e9 / rate;
        FileForces forces = FileForces.start();
        Map<String, Long> cpuBefore = null;
        Map<String, Long> cpuAfter;
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(work), NoteSigner.generate("bench/open-load"), options)) {
            cpuBefore = ThreadCpu.byName();
            long start = System.nanoTime();
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            for (int n = 0; n < total; n++) {
                long due = start + (long) (n * intervalNanos);
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                int slot = n;
                log.append(entries[n & 255]).whenComplete((index, failure) -> {
                    if (failure != null) {
                        failure.printStackTrace();
                        System.exit(1);
                    }
                    latency[slot] = Math.max(1, System.nanoTime() - due);
                    done.incrementAndGet();
                });
            }
            while (done.get() < total) {
                Thread.sleep(10);
            }
            cpuAfter = ThreadCpu.byName();
        }
        List<String> spikes = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            long max = 0;
            int over = 0;
            for (int n = s * rate; n < (s + 1) * rate; n++) {
                max = Math.max(max, latency[n]);
                over += latency[n] > spikeMs * 1e6 ? 1 : 0;
            }
            if (max > spikeMs * 1e6) {
                spikes.add(String.format(Locale.ROOT, "  t=%3ds max %7.1f ms, %d appends over %.0f ms", s, max / 1e6, over, spikeMs));
            }
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf(Locale.ROOT, "%s: %d appends at %d/s of %d bytes, latency from due time (ms):"
                        + " p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.1f mean %.3f; seconds with a spike: %d%n",
                label, total, rate, bytes, at(sorted, 50), at(sorted, 90), at(sorted, 99), at(sorted, 99.9),
                sorted[total - 1] / 1e6, mean / 1e6, spikes.size());
        spikes.forEach(System.out::println);
        forces.stopAndPrint(label);
        System.out.printf(Locale.ROOT, "%s: thread CPU per append (us):", label);
        Map<String, Long> before = cpuBefore;
        cpuAfter.forEach((name, nanos) -> {
            long used = nanos - before.getOrDefault(name, 0L);
            if (used > 0) {
                System.out.printf(Locale.ROOT, " %s %.2f", name, used / 1e3 / total);
            }
        });
        System.out.println();
    }

    /** JFR {@code jdk.FileForce} of every thread during the run, classified by file. */
    private static final class FileForces {
        private final Recording recording = new Recording();

        private record Force(long start, long end, String kind) {
        }

        static FileForces start() {
            FileForces f = new FileForces();
            f.recording.enable("jdk.FileForce").withThreshold(java.time.Duration.ZERO).withoutStackTrace();
            f.recording.start();
            return f;
        }

        void stopAndPrint(String label) throws java.io.IOException {
            recording.stop();
            Path file = Files.createTempFile("open-load-forces", ".jfr");
            recording.dump(file);
            recording.close();
            List<Force> all = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                long s = e.getStartTime().getEpochSecond() * 1_000_000_000L + e.getStartTime().getNano();
                all.add(new Force(s, s + e.getDuration().toNanos(), kind(e.getString("path"), e.getThread().getJavaName())));
            }
            Files.delete(file);
            Map<String, long[]> byKind = new TreeMap<>();
            for (Force f : all) {
                long[] c = byKind.computeIfAbsent(f.kind(), k -> new long[2]);
                c[0]++;
                c[1] += f.end() - f.start();
            }
            StringBuilder sb = new StringBuilder(label + ": file forces (count / ms in all):");
            byKind.forEach((k, c) -> sb.append(String.format(Locale.ROOT, " %s %d / %.0f", k, c[0], c[1] / 1e6)));
            System.out.println(sb);
            List<Force> others = all.stream().filter(f -> !f.kind().equals("group")).sorted(Comparator.comparingLong(Force::start)).toList();
            List<Long> alone = new ArrayList<>();
            List<Long> beside = new ArrayList<>();
            for (Force g : all) {
                if (!g.kind().equals("group")) {
                    continue;
                }
                boolean overlap = others.stream().anyMatch(o -> o.start() < g.end() && o.end() > g.start());
                (overlap ? beside : alone).add(g.end() - g.start());
            }
            List<Long> groups = new ArrayList<>(alone);
            groups.addAll(beside);
            System.out.println(label + ": group forces " + summary(groups) + "; alone " + summary(alone)
                    + "; beside another audit force " + summary(beside));
        }

        private static String summary(List<Long> nanos) {
            if (nanos.isEmpty()) {
                return "none";
            }
            long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            long over5 = Arrays.stream(s).filter(n -> n >= 5_000_000).count();
            return String.format(Locale.ROOT, "%d, p50 %.2f p90 %.2f p99 %.2f max %.1f ms, %d >= 5 ms", s.length,
                    at(s, 50), at(s, 90), at(s, 99), s[s.length - 1] / 1e6, over5);
        }

        private static String kind(String path, String thread) {
            if (path == null) {
                return "other";
            }
            String name = Path.of(path).getFileName().toString();
            if (path.contains("/entries/")) {
                return thread != null && thread.startsWith("audit-log-writer") ? "group" : "segment-prealloc";
            }
            if (path.contains("/tile/")) {
                return Files.isDirectory(Path.of(path)) ? "tile-dir" : "tile";
            }
            if (Files.isDirectory(Path.of(path))) {
                return "dir";
            }
            return name;
        }
    }

    private static double at(long[] sorted, double percentile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1)] / 1e6;
    }
}
