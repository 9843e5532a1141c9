package cxg.bench.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the kernel's scheduler says at one instant (Linux /proc): per thread of each of the report's processes, the
 * time it has waited on a run queue for a CPU ({@code /proc/<pid>/task/<tid>/schedstat}: ns on a CPU, ns waiting,
 * time slices); the machine's CPU pressure ({@code /proc/pressure/cpu}, "some": µs in which at least one task waited
 * for a CPU); and the CPU time of the kernel threads that took the CPU from the servers in the lead's {@code perf sched}
 * trace (BENCHMARKS.md, "Waiting for a CPU"). A file that is missing (another kernel, no PSI, no schedstats) reads as
 * not available, never as an error: the report must not fail on it.
 */
final class Sched {

    /** Kernel threads whose CPU time is summed per name prefix: DAMON's sampler, soft interrupts, work queues. */
    static final List<String> KERNEL_THREADS = List.of("kdamond", "ksoftirqd", "kworker");
    static final int ON_CPU = 0;
    static final int WAITING = 1;

    /**
     * @param waitNanos         per process (by the report's name), each thread's run-queue wait since it started, by tid;
     *                          a process without readable schedstats is absent
     * @param cpuPressureMicros the PSI "some" total of the CPU since boot, µs; -1 when not available
     * @param kernelRunNanos    per prefix of {@link #KERNEL_THREADS}, each such thread's time on a CPU, by pid; null when
     *                          not available
     */
    record Snapshot(Map<String, Map<Long, Long>> waitNanos, long cpuPressureMicros, Map<String, Map<Long, Long>> kernelRunNanos) {

        static final Snapshot NONE = new Snapshot(Map.of(), -1, null);
    }

    private final Path proc;

    Sched(Path proc) {
        this.proc = proc;
    }

    static Sched linux() {
        return new Sched(Path.of("/proc"));
    }

    Snapshot take(Map<String, Long> pids) {
        Map<String, Map<Long, Long>> waits = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            Map<Long, Long> t = threads(pid, WAITING);
            if (!t.isEmpty()) {
                waits.put(name, t);
            }
        });
        return new Snapshot(waits, cpuPressureMicros(), kernelThreads());
    }

    /** One field of the schedstat of every thread of {@code pid} that could be read, by tid; empty if none could. */
    Map<Long, Long> threads(long pid, int field) {
        Map<Long, Long> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                // a thread that ended since the listing has no file left: it is simply not seen
                OptionalLong tid = tid(task);
                OptionalLong v = read(task.resolve("schedstat")).map(s -> field(s, field)).orElse(OptionalLong.empty());
                if (tid.isPresent() && v.isPresent()) {
                    out.put(tid.getAsLong(), v.getAsLong());
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    long cpuPressureMicros() {
        return read(proc.resolve("pressure/cpu")).map(Sched::someTotal).orElse(OptionalLong.empty()).orElse(-1);
    }

    /** Per prefix of {@link #KERNEL_THREADS}, each matching kernel thread's time on a CPU (ns); null if not available. */
    Map<String, Map<Long, Long>> kernelThreads() {
        if (read(proc.resolve("self/schedstat")).isEmpty()) {
            return null;
        }
        Map<String, Map<Long, Long>> out = new LinkedHashMap<>();
        KERNEL_THREADS.forEach(k -> out.put(k, new LinkedHashMap<>()));
        try (DirectoryStream<Path> all = Files.newDirectoryStream(proc, p -> tid(p).isPresent())) {
            for (Path p : all) {
                String comm = read(p.resolve("comm")).orElse("").strip();
                for (String k : KERNEL_THREADS) {
                    if (comm.startsWith(k)) {
                        OptionalLong v = read(p.resolve("schedstat")).map(s -> field(s, ON_CPU)).orElse(OptionalLong.empty());
                        if (v.isPresent()) {
                            out.get(k).put(tid(p).getAsLong(), v.getAsLong());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return out;
    }

    /** A field of a schedstat line ("on-CPU ns, run-queue wait ns, time slices"); empty if the line is not one. */
    static OptionalLong field(String schedstat, int field) {
        String[] f = schedstat.strip().split("\\s+");
        if (f.length != 3) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(f[field]);
            return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The "total" (µs) of the "some" line of a PSI file; empty if there is none. */
    static OptionalLong someTotal(String psi) {
        for (String line : psi.split("\n")) {
            if (line.startsWith("some ")) {
                for (String kv : line.substring(5).strip().split("\\s+")) {
                    if (kv.startsWith("total=")) {
                        try {
                            return OptionalLong.of(Long.parseLong(kv.substring(6)));
                        } catch (NumberFormatException e) {
                            return OptionalLong.empty();
                        }
                    }
                }
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong tid(Path p) {
        String n = p.getFileName().toString();
        return !n.isEmpty() && n.chars().allMatch(Character::isDigit) ? OptionalLong.of(Long.parseLong(n)) : OptionalLong.empty();
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
