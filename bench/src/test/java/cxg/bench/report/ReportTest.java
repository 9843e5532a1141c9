package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.load.LoadResult;
import cxg.bench.load.LoadSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Which runs decide whether the report may judge the issue-6 targets. */
class ReportTest {

    private static final double[] RATES = {750, 1875, 3750, 5626, 6751};

    private static LoadResult result(String label, LoadSpec spec, long degraded) {
        Histogram h = new Histogram(3);
        h.recordValue(1_000_000);
        return new LoadResult(label, spec, 1000, 1000 - degraded, degraded, 0, Map.of(), Map.of(), 1.0, h);
    }

    private static Report report(double degradedFromRate) {
        Map<String, LoadResult> closed = new LinkedHashMap<>();
        for (String path : List.of(ReportRunner.DIRECT, ReportRunner.HOP, ReportRunner.GW1)) {
            for (int c : new int[] {1, 64}) {
                closed.put(path + "@" + c, result(path, LoadSpec.closed(c, 0, Duration.ofSeconds(10), Duration.ZERO), 0));
            }
        }
        List<LoadResult> sweep = new ArrayList<>();
        for (double rate : RATES) {
            for (String path : List.of(ReportRunner.DIRECT, ReportRunner.HOP, ReportRunner.GW1)) {
                sweep.add(result(path, LoadSpec.open(rate, 10_000, 0, Duration.ofSeconds(6), Duration.ZERO),
                        path.equals(ReportRunner.GW1) && rate >= degradedFromRate ? 10 : 0));
            }
        }
        return new Report(Map.of(), null, false, closed, sweep, Map.of(), null, null);
    }

    @Test
    void overloadAboveHalfLoadDoesNotVoidTheTargets() {
        Report r = report(5626);

        assertFalse(r.clean(), "the overloaded points are reported as not clean");
        assertTrue(r.targetRunsClean());
    }

    @Test
    void degradedCallsAtHalfLoadVoidTheTargets() {
        assertFalse(report(3750).targetRunsClean());
        assertTrue(report(Double.MAX_VALUE).targetRunsClean());
    }
}
