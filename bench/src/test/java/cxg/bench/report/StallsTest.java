package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.load.LoadResult;
import cxg.bench.load.LoadSpec;
import cxg.bench.load.Timeline;
import cxg.bench.report.Rounds.Measured;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Which logged event the report names as the cause of a half-load stall. */
class StallsTest {

    private static final long T0 = Instant.parse("2026-11-26T13:00:00Z").toEpochMilli();
    private static final long MS = 1_000_000;

    /**
     * A 1 s round from T0 whose calls take 2 ms, but those due in slice {@code slice} up to {@code maxMillis}; as in a
     * real run, an 11th slice runs past the schedule's end, and the last call completed at T0 + 1,005 ms.
     */
    private static Measured round(String path, int slice, long maxMillis, long sendLagMillis) {
        long[] calls = new long[11];
        long[] max = new long[11];
        long[] lag = new long[11];
        for (int i = 0; i < 10; i++) {
            calls[i] = 300;
            max[i] = i == slice ? maxMillis * MS : 2 * MS;
            lag[i] = i == slice ? sendLagMillis * MS : 0;
        }
        Histogram h = new Histogram(3);
        h.recordValueWithCount(2 * MS, 3000);
        LoadResult r = new LoadResult(path, LoadSpec.open(3000, 10_000, 0, Duration.ofSeconds(1), Duration.ZERO), 3000, 3000, 0, 0,
                Map.of(), Map.of(), 1, h, new Histogram(3), h, new Timeline(T0, T0 + 1_005, calls, max, lag));
        return new Measured(r, null);
    }

    private static Map<String, List<Measured>> half(Measured gateway) {
        Map<String, List<Measured>> m = new LinkedHashMap<>();
        m.put(ReportRunner.HOP, List.of(round(ReportRunner.HOP, -1, 0, 0)));
        m.put(ReportRunner.GW1, List.of(gateway));
        return m;
    }

    @Test
    void readsSafepointPausesAndJitEventsFromAUnifiedJvmLog() {
        JvmLog log = new JvmLog();
        log.add("gateway-1", "[2026-11-26T13:00:00.480+0000][safepoint      ] Safepoint \"GenCollectForAllocation\", Time since last: "
                + "940204851 ns, Reaching safepoint: 4779 ns, Cleanup: 84430 ns, At safepoint: 167748333 ns, Total: 167837542 ns");
        log.add("gateway-1", "[2026-11-26T13:00:00.473+0000][gc             ] GC(0) Pause Young (Allocation Failure) 17M->4M(61M) 160.761ms");
        log.add("gateway-1", "[2026-11-26T13:00:01.001+0000][jit,compilation]    1       3       java.lang.Object::<init> (1 bytes)   made not entrant");
        log.add("gateway-1", "[2026-11-26T13:00:01.002+0000][jit,compilation]    8       4       java.lang.Object::<init> (1 bytes)");

        assertEquals(1, log.pauses().size());
        JvmLog.Pause p = log.pauses().get(0);
        assertEquals("GenCollectForAllocation", p.operation());
        assertEquals(167.8, p.millis(), 0.1);
        assertEquals(T0 + 480, p.endEpochMillis(), 1, "logged when the safepoint ends");
        assertEquals(2, log.jit().size());
        assertTrue(log.jit().get(0).madeNotEntrant());
    }

    @Test
    void sumsTheDisksFlushCountersButNotItsPartitionsOrLoopDevices() {
        DiskSampler.Counters c = DiskSampler.parse(List.of(
                " 254       0 vda 821024 47576 15670010 1367195 7028312 1194399 385224288 2741231 3 1802040 5418789 1338064 32 273377296 446094 2393258 864267",
                " 254       1 vda1 1 1 1 1 5 1 1 7 1 1 1 1 1 1 1 9 9",
                "   7       0 loop0 1 1 1 1 5 1 1 7 1 1 1 1 1 1 1 9 9"));

        assertEquals(7028312, c.writes());
        assertEquals(2741231, c.writeMillis());
        assertEquals(2393258, c.flushes());
        assertEquals(864267, c.flushMillis());
        assertEquals(3, c.inFlight());
    }

    @Test
    void namesTheGatewaysPauseThatCoversAStallInItsRound() {
        // slice 4 (T0+400..500 ms): a call took 120 ms; the gateway paused 110 ms from T0+420, the hop 3 ms (too short to name)
        Stalls s = new Stalls(half(round(ReportRunner.GW1, 4, 120, 0)),
                List.of(new JvmLog.Pause("gateway-1", T0 + 420, 110, "GenCollectForAllocation"), new JvmLog.Pause("hop", T0 + 430, 3, "Cleanup")),
                List.of(), List.of(), List.of());

        List<Stalls.Stall> stalls = s.stalls();

        assertEquals(1, stalls.size());
        assertEquals(ReportRunner.GW1, stalls.get(0).path());
        assertEquals("gateway-1 pause (GenCollectForAllocation)", stalls.get(0).cause());
        assertEquals(List.of("gateway-1 paused 110 ms (GenCollectForAllocation)"), stalls.get(0).overlaps());
        assertTrue(s.markdown().contains("| 13:00:00.400 | gateway, 1 platform, 1 | 100 | 120.0 | gateway-1 pause (GenCollectForAllocation) |"),
                s.markdown());
    }

    @Test
    void blamesTheLoadGeneratorWhenItSentTheStalledCallsLateAndTheAuditForceWhenItWasSlow() {
        Stalls generator = new Stalls(half(round(ReportRunner.GW1, 2, 80, 75)), List.of(), List.of(),
                List.of(new Stalls.Force("gateway-1", T0 + 210, 6, "entries-0001")), List.of());
        Stalls audit = new Stalls(half(round(ReportRunner.GW1, 2, 80, 0)), List.of(), List.of(),
                List.of(new Stalls.Force("gateway-1", T0 + 205, 70, "entries-0001")), List.of());
        Stalls nothing = new Stalls(half(round(ReportRunner.GW1, 2, 80, 0)), List.of(), List.of(), List.of(), List.of());

        assertEquals("load generator (send lag)", generator.stalls().get(0).cause());
        assertEquals("gateway-1 file force (entries-0001)", audit.stalls().get(0).cause());
        assertEquals("nothing logged (host or scheduler)", nothing.stalls().get(0).cause());
    }

    @Test
    void countsAProcesssPausesInsideTheMeasuredWindowsOnly() {
        // the round's last call completed at T0+1,005: the load generator's collection at T0+1,010 is outside it
        Stalls s = new Stalls(half(round(ReportRunner.GW1, 4, 120, 0)),
                List.of(new JvmLog.Pause("gateway-1", T0 + 420, 110, "GenCollectForAllocation"),
                        new JvmLog.Pause("load-generator", T0 + 1_010, 80, "GenCollectFull")),
                List.of(new JvmLog.Jit("gateway-1", T0 + 500, true)), List.of(), List.of());

        assertEquals(Map.of("gateway-1", List.of(1L, 110_000L, 110_000L, 0L, 1L)),
                Map.of("gateway-1", java.util.Arrays.stream(s.perProcess().get("gateway-1")).boxed().toList()));
        assertEquals(Set.of("gateway-1"), s.perProcess().keySet());
    }

    @Test
    void aPauseAfterTheRoundsLastCallCompletedIsNotACause() {
        // slice 9 (T0+900..1000 ms) held a call 250 ms, but the round's last call completed at T0+1,005: the load
        // generator's collection at T0+1,010 (before the next window) held none of them
        Stalls s = new Stalls(half(round(ReportRunner.GW1, 9, 250, 0)),
                List.of(new JvmLog.Pause("load-generator", T0 + 1_010, 80, "GenCollectFull")), List.of(), List.of(), List.of());

        assertEquals("nothing logged (host or scheduler)", s.stalls().get(0).cause());
        assertEquals(List.of(), s.stalls().get(0).overlaps());
    }
}
