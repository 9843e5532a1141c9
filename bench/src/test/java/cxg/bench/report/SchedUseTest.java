package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
                Map.of("hop", Map.of(1L, new Sched.ThreadRun("event loops", 40_000_000L))), 1_000_000, Map.of("kdamond", Map.of(9L, 50_000_000L), "kworker", Map.of()));
        Sched.Snapshot after = new Sched.Snapshot(Map.of("hop", Map.of(1L, 3_000_000L, 2L, 500_000L), "gateway-1", Map.of(5L, 7_000_000L),
                "platform", Map.of(8L, 4_000_000L)), Map.of("hop", Map.of(1L, new Sched.ThreadRun("event loops", 90_000_000L)),
                "platform", Map.of(8L, new Sched.ThreadRun("event loops", 1_000_000L))), 1_600_000, Map.of("kdamond", Map.of(9L, 70_000_000L), "kworker", Map.of(11L, 2_000_000L)));

        SchedUse u = SchedUse.between(before, after, 2.0);

        assertEquals(Map.of("hop", 0.0025, "gateway-1", 0.0), u.waitSeconds(), "a process not seen at the start is left out");
        assertEquals(0.6, u.cpuPressureSeconds(), 1e-12);
        assertEquals(300, u.cpuPressureMillisPerSecond(), 1e-9);
        assertEquals(10, u.kernelMillisPerSecond("kdamond"), 1e-9);
        assertEquals(1, u.kernelMillisPerSecond("kworker"), 1e-9);
        assertEquals(Set.of("hop"), u.threadSeconds().keySet(), "a process not seen at the start is left out");
        assertEquals(0.05, u.threadSeconds().get("hop").get("event loops"), 1e-12);
    }

    @Test
    void eachThreadGroupCountsWhatItsThreadsRanInTheWindowAsTheWaitsAreCounted() {
        // thread 1 ran 3 ms; 2 ended in the window; 3 started in it; 4's counter went back: its tid was reused by a compiler thread
        Map<Long, Sched.ThreadRun> before = Map.of(1L, new Sched.ThreadRun("event loops", 1_000_000L),
                2L, new Sched.ThreadRun("audit writer", 5_000_000L), 4L, new Sched.ThreadRun("event loops", 9_000_000L));
        Map<Long, Sched.ThreadRun> after = Map.of(1L, new Sched.ThreadRun("event loops", 4_000_000L),
                3L, new Sched.ThreadRun("audit writer", 700_000L), 4L, new Sched.ThreadRun("JIT compilers", 100_000L));

        Map<String, Double> ran = SchedUse.byGroup(before, after);

        assertEquals(0.003, ran.get("event loops"), 1e-12);
        assertEquals(0.0007, ran.get("audit writer"), 1e-12);
        assertEquals(0.0001, ran.get("JIT compilers"), 1e-12);
        assertEquals(0.0, ran.get(Sched.OTHER_THREADS), 1e-12);
        assertEquals(Sched.threadGroupOrder(), List.copyOf(ran.keySet()), "every group, in the report's order");
    }

    @Test
    void threadTimePerCallIsPerProcessAndAddsUpOverWindows() {
        SchedUse a = new SchedUse(3, Map.of(), 0.3, Map.of(), Map.of("gateway-1", Map.of("event loops", 0.2, "audit writer", 0.05),
                "hop", Map.of("event loops", 0.1)));
        SchedUse b = new SchedUse(3, Map.of(), 0.3, Map.of(), Map.of("gateway-1", Map.of("event loops", 0.3, "audit writer", 0.05)));

        SchedUse sum = a.plus(b);

        assertEquals(Set.of("gateway-1"), sum.threadSeconds().keySet(), "the hop was not measured in the second window");
        Map<String, Double> perCall = sum.threadMicrosPerCall("gateway-1", 10_000);
        assertEquals(50, perCall.get("event loops"), 1e-9);
        assertEquals(10, perCall.get("audit writer"), 1e-9);
        assertEquals(Map.of(), sum.threadMicrosPerCall("hop", 10_000));
        assertEquals(Map.of(), sum.threadMicrosPerCall("gateway-1", 0));
    }

    @Test
    void waitPerCallIsTheWindowsWaitOverTheAnsweredCalls() {
        SchedUse u = new SchedUse(5, Map.of("load generator", 0.010, "gateway-1", 0.025, "hop", 0.5), 1.0, Map.of(), Map.of());

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
        SchedUse a = new SchedUse(3, Map.of("hop", 0.002, "platform", 0.001), 0.3, Map.of("kdamond", 0.012), Map.of());
        SchedUse b = new SchedUse(3, Map.of("hop", 0.004), Double.NaN, Map.of("kdamond", 0.006), Map.of());

        SchedUse sum = a.plus(b);

        assertEquals(6, sum.wallSeconds(), 1e-12);
        assertEquals(java.util.Set.of("hop"), sum.waitSeconds().keySet(), "the platform was not measured in the second window");
        assertEquals(0.006, sum.waitSeconds().get("hop"), 1e-12);
        assertTrue(Double.isNaN(sum.cpuPressureSeconds()));
        assertEquals(3, sum.kernelMillisPerSecond("kdamond"), 1e-9);
    }

    @Test
    void roundsMergedKeepTheirWaits() {
        CpuUse a = new CpuUse(3, Map.of("hop", 0.3), 0, 2, new SchedUse(3, Map.of("hop", 0.002), 0.3, Map.of(), Map.of()));
        CpuUse b = new CpuUse(3, Map.of("hop", 0.3), 0, 2, new SchedUse(3, Map.of("hop", 0.004), 0.9, Map.of(), Map.of()));

        CpuUse sum = a.plus(b);

        assertEquals(0.006, sum.sched().waitSeconds().get("hop"), 1e-12);
        assertEquals(200, sum.sched().cpuPressureMillisPerSecond(), 1e-9);
    }
}
