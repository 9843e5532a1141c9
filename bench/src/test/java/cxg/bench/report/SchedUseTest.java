package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run-queue wait and CPU pressure of one measured window, and per answered call. */
class SchedUseTest {

    @Test
    void aThreadCountsWhatItWaitedInTheWindowOneThatStartedInItFromZeroAndOneThatEndedNothing() {
        // thread 1 waited 3 µs in the window; 2 ended in it; 3 started in it; 4's counter went back: its tid was reused
        Map<Long, Long> before = Map.of(1L, 1_000L, 2L, 5_000L, 4L, 9_000L);
        Map<Long, Long> after = Map.of(1L, 4_000L, 3L, 700L, 4L, 100L);

        assertEquals(3_000 + 700 + 100, SchedUse.threadsDelta(before, after));
    }

    @Test
    void theWindowsWaitsPressureAndKernelThreadsAreTheDifferencesOfItsEnds() {
        Sched.Snapshot before = new Sched.Snapshot(Map.of("hop", Map.of(1L, 1_000_000L, 2L, 0L), "gateway-1", Map.of(5L, 7_000_000L)),
                1_000_000, Map.of("kdamond", Map.of(9L, 50_000_000L), "kworker", Map.of()));
        Sched.Snapshot after = new Sched.Snapshot(Map.of("hop", Map.of(1L, 3_000_000L, 2L, 500_000L), "gateway-1", Map.of(5L, 7_000_000L),
                "platform", Map.of(8L, 4_000_000L)), 1_600_000, Map.of("kdamond", Map.of(9L, 70_000_000L), "kworker", Map.of(11L, 2_000_000L)));

        SchedUse u = SchedUse.between(before, after, 2.0);

        assertEquals(Map.of("hop", 0.0025, "gateway-1", 0.0), u.waitSeconds(), "a process not seen at the start is left out");
        assertEquals(0.6, u.cpuPressureSeconds(), 1e-12);
        assertEquals(300, u.cpuPressureMillisPerSecond(), 1e-9);
        assertEquals(10, u.kernelMillisPerSecond("kdamond"), 1e-9);
        assertEquals(1, u.kernelMillisPerSecond("kworker"), 1e-9);
    }

    @Test
    void waitPerCallIsTheWindowsWaitOverTheAnsweredCalls() {
        SchedUse u = new SchedUse(5, Map.of("load generator", 0.010, "gateway-1", 0.025, "hop", 0.5), 1.0, Map.of());

        Map<String, Double> perCall = u.waitMicrosPerCall(2_500);
        assertEquals(3, perCall.size());
        assertEquals(4, perCall.get("load generator"), 1e-9);
        assertEquals(10, perCall.get("gateway-1"), 1e-9);
        assertEquals(200, perCall.get("hop"), 1e-9);
        assertEquals(0.035, u.waitSecondsOf(List.of("load generator", "gateway-1")), 1e-12);
        assertTrue(Double.isNaN(u.waitSecondsOf(List.of("gateway-1", "platform"))), "a process not measured is not counted as 0");
        assertEquals(Map.of(), u.waitMicrosPerCall(0));
        assertEquals(200, u.cpuPressureMillisPerSecond(), 1e-9);
    }

    @Test
    void windowsAddUpAndWhatOneOfThemLacksIsNotAvailableInTheSum() {
        SchedUse a = new SchedUse(3, Map.of("hop", 0.002, "platform", 0.001), 0.3, Map.of("kdamond", 0.012));
        SchedUse b = new SchedUse(3, Map.of("hop", 0.004), Double.NaN, Map.of("kdamond", 0.006));

        SchedUse sum = a.plus(b);

        assertEquals(6, sum.wallSeconds(), 1e-12);
        assertEquals(java.util.Set.of("hop"), sum.waitSeconds().keySet(), "the platform was not measured in the second window");
        assertEquals(0.006, sum.waitSeconds().get("hop"), 1e-12);
        assertTrue(Double.isNaN(sum.cpuPressureSeconds()));
        assertEquals(3, sum.kernelMillisPerSecond("kdamond"), 1e-9);
    }

    @Test
    void roundsMergedKeepTheirWaits() {
        CpuUse a = new CpuUse(3, Map.of("hop", 0.3), 0, 2, new SchedUse(3, Map.of("hop", 0.002), 0.3, Map.of()));
        CpuUse b = new CpuUse(3, Map.of("hop", 0.3), 0, 2, new SchedUse(3, Map.of("hop", 0.004), 0.9, Map.of()));

        CpuUse sum = a.plus(b);

        assertEquals(0.006, sum.sched().waitSeconds().get("hop"), 1e-12);
        assertEquals(200, sum.sched().cpuPressureMillisPerSecond(), 1e-9);
    }
}
