package cxg.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the block devices' counters ({@code /proc/diskstats}) every {@link #PERIOD_MILLIS} ms while it runs, so that
 * a latency stall can be matched with what the disk was doing: per interval, the writes and cache flushes (what an
 * {@code fdatasync} becomes) completed and the time the device spent on them. Loop, RAM and zram devices are left out.
 */
final class DiskSampler implements AutoCloseable {

    static final int PERIOD_MILLIS = 100;
    private static final Path DISKSTATS = Path.of("/proc/diskstats");

    /**
     * One interval of all devices together: {@code endEpochMillis - PERIOD_MILLIS .. endEpochMillis}; the mean time of
     * a write or flush in it (ms, NaN without any), and the requests in flight at its end.
     */
    record Interval(long endEpochMillis, long writes, double writeMillis, long flushes, double flushMillis, long inFlight) {

        double meanWriteMillis() {
            return writes == 0 ? Double.NaN : writeMillis / writes;
        }

        double meanFlushMillis() {
            return flushes == 0 ? Double.NaN : flushMillis / flushes;
        }
    }

    /** Counters summed over the devices: writes, ms writing, flushes, ms flushing, in flight. */
    record Counters(long writes, long writeMillis, long flushes, long flushMillis, long inFlight) {
    }

    private final List<Interval> intervals = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private DiskSampler() {
        thread = new Thread(this::loop, "bench-diskstats");
        thread.setDaemon(true);
    }

    /** A running sampler, or one that records nothing where there is no {@code /proc/diskstats}. */
    static DiskSampler start() {
        DiskSampler s = new DiskSampler();
        if (Files.isReadable(DISKSTATS)) {
            s.thread.start();
        }
        return s;
    }

    private void loop() {
        Counters last = read();
        while (running && last != null) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Counters now = read();
            if (now == null) {
                return;
            }
            Interval i = new Interval(System.currentTimeMillis(), now.writes - last.writes, now.writeMillis - last.writeMillis,
                    now.flushes - last.flushes, now.flushMillis - last.flushMillis, now.inFlight);
            synchronized (intervals) {
                intervals.add(i);
            }
            last = now;
        }
    }

    private static Counters read() {
        try {
            return parse(Files.readAllLines(DISKSTATS));
        } catch (IOException e) {
            return null;
        }
    }

    /** The counters of {@code /proc/diskstats} lines, summed over every device but loop, RAM and zram ones. */
    static Counters parse(List<String> lines) {
        long writes = 0;
        long writeMillis = 0;
        long flushes = 0;
        long flushMillis = 0;
        long inFlight = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 14 || f[2].startsWith("loop") || f[2].startsWith("ram") || f[2].startsWith("zram")
                    || Character.isDigit(f[2].charAt(f[2].length() - 1)) && !f[2].startsWith("nvme") && !f[2].startsWith("mmcblk")
                    || f[2].matches("nvme\\d+n\\d+p\\d+|mmcblk\\d+p\\d+")) {
                continue; // partitions are counted in their disk already
            }
            writes += Long.parseLong(f[7]);
            writeMillis += Long.parseLong(f[10]);
            inFlight += Long.parseLong(f[11]);
            if (f.length >= 20) {
                flushes += Long.parseLong(f[18]);
                flushMillis += Long.parseLong(f[19]);
            }
        }
        return new Counters(writes, writeMillis, flushes, flushMillis, inFlight);
    }

    List<Interval> intervals() {
        synchronized (intervals) {
            return List.copyOf(intervals);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
