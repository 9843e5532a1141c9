package cxg.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long the report's processes waited for a CPU over a measured window, and how contended the machine's CPUs were.
 * A call whose thread is runnable but not on a CPU waits as long as the scheduler keeps it off: on this 2-vCPU machine a
 * JIT compiler thread or the kernel's DAMON thread holding a CPU for 2–5 ms is the open model's p99 floor, whatever the
 * path does (bench/JOURNAL.md, "Waiting for a CPU").
 *
 * @param wallSeconds        length of the window(s)
 * @param waitSeconds        per process, the sum over its threads of their run-queue wait in the window; a process
 *                           without schedstats is absent
 * @param cpuPressureSeconds the machine's CPU pressure in the window (PSI "some": time in which at least one task waited
 *                           for a CPU); NaN when not available
 * @param kernelSeconds      per prefix of {@link Sched#KERNEL_THREADS}, the CPU time of those kernel threads in the
 *                           window; empty when not available
 * @param threadSeconds      per process, the time its threads ran on a CPU in the window by {@link Sched#threadGroup},
 *                           s; a process without schedstats is absent
 */
record SchedUse(double wallSeconds, Map<String, Double> waitSeconds, double cpuPressureSeconds, Map<String, Double> kernelSeconds,
                Map<String, Map<String, Double>> threadSeconds) {

    static final String NOT_AVAILABLE = "not available";

    static SchedUse between(Sched.Snapshot before, Sched.Snapshot after, double wallSeconds) {
        Map<String, Double> waits = new LinkedHashMap<>();
        after.waitNanos().forEach((process, threads) -> {
            Map<Long, Long> b = before.waitNanos().get(process);
            if (b != null) {
                waits.put(process, threadsDelta(b, threads) / 1e9);
            }
        });
        double pressure = before.cpuPressureMicros() < 0 || after.cpuPressureMicros() < 0 ? Double.NaN
                : Math.max(0, after.cpuPressureMicros() - before.cpuPressureMicros()) / 1e6;
        Map<String, Double> kernel = new LinkedHashMap<>();
        if (before.kernelRunNanos() != null && after.kernelRunNanos() != null) {
            after.kernelRunNanos().forEach((k, threads) -> kernel.put(k, threadsDelta(before.kernelRunNanos().getOrDefault(k, Map.of()), threads) / 1e9));
        }
        Map<String, Map<String, Double>> ran = new LinkedHashMap<>();
        after.runNanos().forEach((process, threads) -> {
            Map<Long, Sched.ThreadRun> b = before.runNanos().get(process);
            if (b != null) {
                ran.put(process, byGroup(b, threads));
            }
        });
        return new SchedUse(wallSeconds, waits, pressure, kernel, ran);
    }

    /** What each group's threads ran in the window, s, counted as {@link #threadsDelta} counts; groups in their report order. */
    static Map<String, Double> byGroup(Map<Long, Sched.ThreadRun> before, Map<Long, Sched.ThreadRun> after) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        Sched.threadGroupOrder().forEach(g -> nanos.put(g, 0L));
        after.forEach((tid, t) -> {
            Sched.ThreadRun b = before.get(tid);
            nanos.merge(t.group(), added(b == null ? 0 : b.nanos(), t.nanos()), Long::sum);
        });
        Map<String, Double> seconds = new LinkedHashMap<>();
        nanos.forEach((g, n) -> seconds.put(g, n / 1e9));
        return seconds;
    }

    /**
     * What the threads seen at the window's end added since its start, in ns. A thread first seen at the end started in
     * the window and counts from zero (a counter below its start value is a reused tid: a new thread, counted alike); a
     * thread that ended in the window is not seen at the end and adds nothing (its wait after the start is lost).
     */
    static long threadsDelta(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> t : after.entrySet()) {
            sum += added(before.getOrDefault(t.getKey(), 0L), t.getValue());
        }
        return sum;
    }

    /** What one thread's counter added in the window; below its start value it is a reused tid, counted from zero. */
    private static long added(long before, long after) {
        return after >= before ? after - before : after;
    }

    /** The two windows together (for the rounds of one path); a figure missing in either is missing in the sum. */
    SchedUse plus(SchedUse o) {
        Map<String, Double> waits = new LinkedHashMap<>();
        waitSeconds.forEach((k, v) -> {
            if (o.waitSeconds.containsKey(k)) {
                waits.put(k, v + o.waitSeconds.get(k));
            }
        });
        Map<String, Double> kernel = new LinkedHashMap<>();
        kernelSeconds.forEach((k, v) -> {
            if (o.kernelSeconds.containsKey(k)) {
                kernel.put(k, v + o.kernelSeconds.get(k));
            }
        });
        Map<String, Map<String, Double>> ran = new LinkedHashMap<>();
        threadSeconds.forEach((k, v) -> {
            if (o.threadSeconds.containsKey(k)) {
                Map<String, Double> sum = new LinkedHashMap<>(v);
                o.threadSeconds.get(k).forEach((g, x) -> sum.merge(g, x, Double::sum));
                ran.put(k, sum);
            }
        });
        return new SchedUse(wallSeconds + o.wallSeconds, waits, cpuPressureSeconds + o.cpuPressureSeconds, kernel, ran);
    }

    /** µs on a CPU per answered call of each group of one process's threads; empty when not measured or nothing was answered. */
    Map<String, Double> threadMicrosPerCall(String process, long answered) {
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, Double> s = threadSeconds.get(process);
        if (s != null && answered > 0) {
            s.forEach((g, v) -> m.put(g, v * 1e6 / answered));
        }
        return m;
    }

    /** Run-queue wait in µs per answered call of each process; empty when nothing was answered. */
    Map<String, Double> waitMicrosPerCall(long answered) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (answered > 0) {
            waitSeconds.forEach((k, v) -> m.put(k, v * 1e6 / answered));
        }
        return m;
    }

    /** The run-queue wait of the given processes together, s; NaN if any of them was not measured. */
    double waitSecondsOf(Iterable<String> processes) {
        double sum = 0;
        for (String p : processes) {
            Double v = waitSeconds.get(p);
            if (v == null) {
                return Double.NaN;
            }
            sum += v;
        }
        return sum;
    }

    /** ms of CPU pressure per second of the window; NaN when not available. */
    double cpuPressureMillisPerSecond() {
        return wallSeconds > 0 ? cpuPressureSeconds * 1000 / wallSeconds : Double.NaN;
    }

    /** ms of CPU per second of the window of one group of kernel threads; NaN when not available. */
    double kernelMillisPerSecond(String prefix) {
        Double v = kernelSeconds.get(prefix);
        return v == null || wallSeconds <= 0 ? Double.NaN : v * 1000 / wallSeconds;
    }

    Map<String, Object> toJson(long answered) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runQueueWaitSeconds", waitSeconds.isEmpty() ? NOT_AVAILABLE : new LinkedHashMap<>(waitSeconds));
        m.put("runQueueWaitMicrosPerCall", waitSeconds.isEmpty() ? NOT_AVAILABLE : waitMicrosPerCall(answered));
        m.put("cpuPressureSomeSeconds", Double.isNaN(cpuPressureSeconds) ? NOT_AVAILABLE : cpuPressureSeconds);
        m.put("cpuPressureMillisPerSecond", Double.isNaN(cpuPressureSeconds) ? NOT_AVAILABLE : cpuPressureMillisPerSecond());
        m.put("kernelThreadsCpuSeconds", kernelSeconds.isEmpty() ? NOT_AVAILABLE : new LinkedHashMap<>(kernelSeconds));
        Map<String, Object> byThread = new LinkedHashMap<>();
        threadSeconds.keySet().forEach(p -> byThread.put(p, threadMicrosPerCall(p, answered)));
        m.put("onCpuMicrosPerCallByThreadGroup", threadSeconds.isEmpty() ? NOT_AVAILABLE : byThread);
        return m;
    }
}
