package cxg.bench.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the kernel's scheduler says at one instant (Linux /proc): per thread of each of the report's processes, the
 * time it has waited on a run queue for a CPU and the time it has run ({@code /proc/<pid>/task/<tid>/schedstat}: ns on
 * a CPU, ns waiting, time slices), with the thread's group by name ({@link #threadGroup}); the machine's CPU pressure
 * ({@code /proc/pressure/cpu}, "some": µs in which at least one task waited for a CPU); and the CPU time of the kernel
 * threads that took the CPU from the servers in the lead's {@code perf sched} trace (bench/JOURNAL.md, "Waiting for a
 * CPU"). A file that is missing (another kernel, no PSI, no schedstats) reads as not available, never as an error: the
 * report must not fail on it.
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
    record Snapshot(Map<String, Map<Long, Long>> waitNanos, Map<String, Map<Long, ThreadRun>> runNanos, long cpuPressureMicros,
                    Map<String, Map<Long, Long>> kernelRunNanos) {

        static final Snapshot NONE = new Snapshot(Map.of(), Map.of(), -1, null);
    }

    /** One thread's time on a CPU since it started, ns, and its {@link #threadGroup}. */
    record ThreadRun(String group, long nanos) {
    }

    /**
     * Thread groups by the start of the thread's name as the kernel keeps it ({@code comm}: the first 15 bytes of the
     * Java thread's name), in the order the report lists them. The same group in the gateway and the hop does the same
     * job: the Vert.x and Netty event loops carry the calls in both.
     */
    static final List<Map.Entry<String, String>> THREAD_GROUPS = List.of(
            Map.entry("vert.x-eventloo", "event loops"), Map.entry("grpc-nio-worker", "event loops"),
            Map.entry("grpc-default-ex", "gRPC executor"), Map.entry("executor-thread", "worker pool"),
            Map.entry("audit-log-write", "audit writer"), Map.entry("audit-segment-p", "audit segment pre-allocation"),
            Map.entry("audit-tile", "audit tiles"), Map.entry("C1 CompilerThre", "JIT compilers"),
            Map.entry("C2 CompilerThre", "JIT compilers"), Map.entry("VM Thread", "GC and VM"), Map.entry("GC Thread", "GC and VM"),
            Map.entry("G1 ", "GC and VM"), Map.entry("JFR ", "JFR"));
    static final String OTHER_THREADS = "other";

    /** The group of a thread by its kernel name; {@link #OTHER_THREADS} for any not in {@link #THREAD_GROUPS}. */
    static String threadGroup(String comm) {
        return THREAD_GROUPS.stream().filter(g -> comm.startsWith(g.getKey())).map(Map.Entry::getValue).findFirst().orElse(OTHER_THREADS);
    }

    /** The groups of {@link #THREAD_GROUPS} in their order, then {@link #OTHER_THREADS}. */
    static List<String> threadGroupOrder() {
        List<String> order = new ArrayList<>();
        THREAD_GROUPS.forEach(g -> {
            if (!order.contains(g.getValue())) {
                order.add(g.getValue());
            }
        });
        order.add(OTHER_THREADS);
        return order;
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
        Map<String, Map<Long, ThreadRun>> runs = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            Map<Long, Long> w = new LinkedHashMap<>();
            Map<Long, ThreadRun> r = new LinkedHashMap<>();
            threads(pid, w, r);
            if (!w.isEmpty()) {
                waits.put(name, w);
                runs.put(name, r);
            }
        });
        return new Snapshot(waits, runs, cpuPressureMicros(), kernelThreads());
    }

    /** The run-queue wait and the time on a CPU, with its group, of every thread of {@code pid} that could be read, by tid. */
    private void threads(long pid, Map<Long, Long> waits, Map<Long, ThreadRun> runs) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                // a thread that ended since the listing has no file left: it is simply not seen
                OptionalLong tid = tid(task);
                Optional<String> stat = read(task.resolve("schedstat"));
                OptionalLong waited = stat.map(s -> field(s, WAITING)).orElse(OptionalLong.empty());
                OptionalLong ran = stat.map(s -> field(s, ON_CPU)).orElse(OptionalLong.empty());
                if (tid.isPresent() && waited.isPresent() && ran.isPresent()) {
                    waits.put(tid.getAsLong(), waited.getAsLong());
                    runs.put(tid.getAsLong(), new ThreadRun(threadGroup(read(task.resolve("comm")).orElse("").strip()), ran.getAsLong()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // what was read so far stands; the rest of the process is not seen
        }
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
