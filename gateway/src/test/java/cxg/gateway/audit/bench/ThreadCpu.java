package cxg.gateway.audit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/** CPU time of this JVM's threads, for the audit harnesses' per-entry figures. */
final class ThreadCpu {

    private ThreadCpu() {
    }

    /** CPU ns of the log's writer thread ({@code audit-log-writer}) so far. */
    static long writer() {
        Long cpu = byName().get("audit-log-writer");
        return cpu == null ? 0 : cpu;
    }

    /** CPU ns of the live threads, summed by name without a trailing number (a pool counts as one). */
    static Map<String, Long> byName() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new TreeMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(t.getThreadId());
            if (cpu > 0) {
                out.merge(t.getThreadName().replaceAll("-?\\d+$", ""), cpu, Long::sum);
            }
        }
        return out;
    }
}
