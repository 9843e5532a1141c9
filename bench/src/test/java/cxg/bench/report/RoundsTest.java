package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cxg.bench.load.LoadResult;
import cxg.bench.load.LoadSpec;
import cxg.bench.report.Rounds.Measured;
import cxg.bench.report.Rounds.Spread;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RoundsTest {

    /** A closed run that answered {@code answered} calls in {@code seconds}, each taking {@code micros}. */
    static Measured run(String label, long answered, double seconds, long micros, Map<String, Double> cpuSeconds) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(micros * 1000, answered);
        LoadResult r = new LoadResult(label, LoadSpec.closed(64, 0, Duration.ofSeconds(2), Duration.ZERO), answered, answered, 0, 0,
                Map.of(), Map.of(), seconds, h);
        return new Measured(r, cpuSeconds == null ? null : new CpuUse(seconds, cpuSeconds, 0.1, 2));
    }

    @Test
    void theMedianOfAnOddNumberOfRoundsIsTheMiddleOneAndOfAnEvenNumberTheMeanOfTheMiddleTwo() {
        assertEquals(new Spread(0.7, 0.5, 0.9, 5, List.of(0.9, 0.5, 0.7, 0.6, 0.8)), Rounds.spread(List.of(0.9, 0.5, 0.7, 0.6, 0.8)));
        Spread even = Rounds.spread(List.of(0.9, 0.5, 0.7, 0.6));
        assertEquals(0.65, even.median(), 1e-12);
        assertEquals(4, even.n());
    }

    @Test
    void ratiosPairTheRoundsInOrderSoThatASlowRoundSlowsBothSidesOfItsRatio() {
        // the host slowed round 2 for both paths: the ratio stays 0.5 in every round
        List<Measured> gateway = List.of(run("g", 500, 1, 100, null), run("g", 100, 1, 100, null), run("g", 400, 1, 100, null));
        List<Measured> hop = List.of(run("h", 1000, 1, 100, null), run("h", 200, 1, 100, null), run("h", 800, 1, 100, null));

        Spread s = Rounds.ratios(gateway, hop, m -> m.result().throughput());

        assertEquals(new Spread(0.5, 0.5, 0.5, 3, List.of(0.5, 0.5, 0.5)), s);
        assertEquals(0.5, Rounds.merge(gateway).result().throughput() / Rounds.merge(hop).result().throughput(), 1e-9);
    }

    @Test
    void differencesAreTakenRoundByRound() {
        List<Measured> gateway = List.of(run("g", 100, 1, 1300, null), run("g", 100, 1, 2000, null));
        List<Measured> hop = List.of(run("h", 100, 1, 500, null), run("h", 100, 1, 1000, null));

        Spread s = Rounds.differences(gateway, hop, m -> m.result().percentileMicros(50));

        assertEquals(800, s.min(), 2);
        assertEquals(1000, s.max(), 2);
        assertEquals(900, s.median(), 2);
    }

    @Test
    void mergedRoundsAddCallsTimeHistogramsAndCpu() {
        Measured a = run("g", 1000, 2, 100, Map.of("gateway-1", 0.5, "hop", 0.01));
        Measured b = run("g", 3000, 2, 300, Map.of("gateway-1", 1.5, "hop", 0.01));

        Measured m = Rounds.merge(List.of(a, b));

        assertEquals(4000, m.result().answered());
        assertEquals(1000, m.result().throughput(), 1e-9);
        assertEquals(4000, m.result().histogramNanos().getTotalCount());
        assertEquals(300, m.result().percentileMicros(50), 1);
        assertEquals(4, m.cpu().wallSeconds(), 1e-9);
        assertEquals(500, m.cpuMicrosPerCall().get("gateway-1"), 1e-9);
        assertEquals(5, m.cpuMicrosPerCall().get("hop"), 1e-9);
        assertEquals(505, m.cpuMicrosPerCall().get(CpuUse.TOTAL), 1e-9);
    }

    @Test
    void aSpreadOfSeveralRoundsShowsItsRange() {
        assertEquals("0.70 (0.50–0.90, 5 rounds)", new Spread(0.7, 0.5, 0.9, 5).format("%.2f"));
        assertEquals("0.70", new Spread(0.7, 0.7, 0.7, 1).format("%.2f"));
        assertEquals("1,459 µs (-310–2,620, 3 rounds)", new Spread(1459, -310, 2620, 3).format("%,.0f", " µs"));
    }
}
