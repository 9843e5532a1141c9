package cxg.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time used over a measured window: by each process the report started (named), and by the rest of the
 * machine. CPU time per call is far steadier than throughput on a shared machine: contention stretches a
 * call's latency, but hardly the CPU it costs.
 *
 * @param wallSeconds  length of the window(s)
 * @param seconds      CPU-seconds (user + system) of each of the report's processes, in the report's order
 * @param otherSeconds CPU-seconds the rest of the machine used in the same window(s) (busy time of all CPUs
 *                     from /proc/stat minus the report's processes; never below 0)
 * @param cpus         processors of the machine
 * @param sched        how long the processes waited for a CPU in the same window(s); null if not measured
 */
record CpuUse(double wallSeconds, Map<String, Double> seconds, double otherSeconds, int cpus, SchedUse sched) {

    CpuUse(double wallSeconds, Map<String, Double> seconds, double otherSeconds, int cpus) {
        this(wallSeconds, seconds, otherSeconds, cpus, null);
    }

    /** Name of the sum over the report's processes in {@link #microsPerCall}. */
    static final String TOTAL = "total";

    static CpuUse between(CpuMeter.Snapshot before, CpuMeter.Snapshot after) {
        Map<String, Double> used = new LinkedHashMap<>();
        double own = 0;
        for (Map.Entry<String, Double> e : after.cpuSeconds().entrySet()) {
            Double b = before.cpuSeconds().get(e.getKey());
            if (b != null) {
                double d = Math.max(0, e.getValue() - b);
                used.put(e.getKey(), d);
                own += d;
            }
        }
        double other = Math.max(0, after.machineBusySeconds() - before.machineBusySeconds() - own);
        double wall = (after.nanos() - before.nanos()) / 1e9;
        SchedUse sched = before.sched() == null || after.sched() == null ? null : SchedUse.between(before.sched(), after.sched(), wall);
        return new CpuUse(wall, used, Double.isNaN(other) ? 0 : other, after.cpus(), sched);
    }

    /** The two windows together (for the rounds of one path). */
    CpuUse plus(CpuUse o) {
        Map<String, Double> sum = new LinkedHashMap<>(seconds);
        o.seconds.forEach((k, v) -> sum.merge(k, v, Double::sum));
        return new CpuUse(wallSeconds + o.wallSeconds, sum, otherSeconds + o.otherSeconds, Math.max(cpus, o.cpus),
                sched == null || o.sched == null ? null : sched.plus(o.sched));
    }

    double totalSeconds() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** CPU µs per answered call of each process, and their {@link #TOTAL}; empty when nothing was answered. */
    Map<String, Double> microsPerCall(long answered) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (answered <= 0) {
            return m;
        }
        seconds.forEach((k, v) -> m.put(k, v * 1e6 / answered));
        m.put(TOTAL, totalSeconds() * 1e6 / answered);
        return m;
    }

    /** Share of the machine's CPU capacity that other processes used in the window. */
    double otherShare() {
        double capacity = wallSeconds * cpus;
        return capacity > 0 ? otherSeconds / capacity : 0;
    }

    Map<String, Object> toJson(long answered) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windowSeconds", wallSeconds);
        m.put("cpuSeconds", new LinkedHashMap<>(seconds));
        m.put("cpuMicrosPerCall", microsPerCall(answered));
        m.put("otherProcessesCpuSeconds", otherSeconds);
        m.put("otherProcessesShare", otherShare());
        if (sched != null) {
            m.put("sched", sched.toJson(answered));
        }
        return m;
    }
}
