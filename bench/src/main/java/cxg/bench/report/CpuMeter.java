package cxg.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the CPU time of the report's processes (its own JVM, the load generator, and the servers it started). */
final class CpuMeter {

    /** CPU-seconds per process and of the whole machine at one instant. */
    record Snapshot(long nanos, Map<String, Double> cpuSeconds, double machineBusySeconds, int cpus) {
    }

    private final Map<String, ProcessHandle> processes = new LinkedHashMap<>();

    synchronized void add(String name, ProcessHandle process) {
        processes.put(name, process);
    }

    synchronized Snapshot take() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, p) -> {
            if (p.isAlive()) {
                cpu.put(name, Machine.cpuSecondsOf(p));
            }
        });
        return new Snapshot(System.nanoTime(), cpu, Machine.busyCpuSeconds(), Runtime.getRuntime().availableProcessors());
    }
}
