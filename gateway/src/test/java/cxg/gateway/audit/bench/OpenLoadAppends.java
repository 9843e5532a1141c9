package cxg.gateway.audit.bench;

import cxg.gateway.audit.AuditLog;
import cxg.gateway.audit.DirectoryLogStore;
import cxg.gateway.audit.NoteSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady open-model appends to the directory store, as the gateway makes them under a fixed arrival rate:
 * each append is due at a fixed time, and its latency is measured from then (not from when it was sent) to
 * its durable acknowledgement, so a stall counts for every append due during it. The log runs with the
 * gateway's options (checkpoint every 10 s, groups up to 4,096). Prints the percentiles of the whole run and
 * every second whose slowest append took longer than {@code --spike-ms}, with its time from the start.
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
        try (AuditLog log = AuditLog.open(DirectoryLogStore.open(work), NoteSigner.generate("bench/open-load"), options)) {
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
    }

    private static double at(long[] sorted, double percentile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(percentile / 100 * sorted.length) - 1)] / 1e6;
    }
}
