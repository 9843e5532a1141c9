package cxg.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads, at one instant, the CPU time of the report's processes (its own JVM, the load generator, and the servers it
 * started), the machine's, and what the scheduler says about them ({@link Sched}: their threads' run-queue waits).
 */
final class CpuMeter {

    /** CPU-seconds per process and of the whole machine at one instant, and the scheduler's figures. */
    record Snapshot(long nanos, Map<String, Double> cpuSeconds, double machineBusySeconds, int cpus, Sched.Snapshot sched) {
    }

    private final Map<String, ProcessHandle> processes = new LinkedHashMap<>();
    private final Sched sched;

    CpuMeter(Sched sched) {
        this.sched = sched;
    }

    synchronized void add(String name, ProcessHandle process) {
        processes.put(name, process);
    }

    /**
     * At a window's start: the scheduler's figures first, then the CPU times, so that the CPU the load generator spends
     * reading hundreds of /proc files (tens of ms on the busy machine) is not charged to the window.
     */
    synchronized Snapshot start() {
        Sched.Snapshot s = sched.take(alivePids());
        return cpuNow(s);
    }

    /** At a window's end: the CPU times first, then the scheduler's figures (see {@link #start}). */
    synchronized Snapshot end() {
        Snapshot cpu = cpuNow(null);
        return new Snapshot(cpu.nanos(), cpu.cpuSeconds(), cpu.machineBusySeconds(), cpu.cpus(), sched.take(alivePids()));
    }

    private Map<String, Long> alivePids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        processes.forEach((name, p) -> {
            if (p.isAlive()) {
                pids.put(name, p.pid());
            }
        });
        return pids;
    }

    private Snapshot cpuNow(Sched.Snapshot s) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, p) -> {
            if (p.isAlive()) {
                cpu.put(name, Machine.cpuSecondsOf(p));
            }
        });
        return new Snapshot(System.nanoTime(), cpu, Machine.busyCpuSeconds(), Runtime.getRuntime().availableProcessors(), s);
    }
}
