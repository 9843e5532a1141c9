package cxg.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import cxg.gateway.identity.TokenCheckCost.Op;

class TokenCheckCostTest {

    /** A round of 101 calls whose p50 is {@code p50Micros}: 50 faster, 50 slower, {@code stepNanos} apart. */
    private static long[] round(double p50Micros, long stepNanos) {
        long p50 = Math.round(p50Micros * 1000);
        return LongStream.range(-50, 51).map(i -> p50 + i * stepNanos).toArray();
    }

    private static long[] round(double p50Micros) {
        return round(p50Micros, 100);
    }

    private static long[][] rounds(double... p50s) {
        long[][] r = new long[p50s.length][];
        for (int i = 0; i < p50s.length; i++) {
            r[i] = round(p50s[i]);
        }
        return r;
    }

    private static Map<String, Object> summary(long[][] baseline, long[][] remembered, boolean quick) {
        Map<Op, long[][]> calls = new EnumMap<>(Op.class);
        calls.put(Op.WITHOUT, baseline);
        calls.put(Op.REMEMBERED, remembered);
        long[][] inFull = new long[baseline.length][];
        for (int r = 0; r < inFull.length; r++) {
            inFull[r] = round(700);
        }
        calls.put(Op.IN_FULL, inFull);
        Map<Op, long[]> verifier = new EnumMap<>(Op.class);
        verifier.put(Op.VERIFY_REMEMBERED, round(0.7, 1));
        verifier.put(Op.VERIFY_IN_FULL, round(450));
        return TokenCheckCost.summarize(calls, verifier, quick);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> target(Map<String, Object> summary) {
        return (Map<String, Object>) ((List<Object>) summary.get("targets")).get(0);
    }

    @Test
    void judgesTheMedianOfTheRoundsDifferencesSoThatOneSlowRoundDoesNotDecide() {
        // the baseline's third round was slow: pooled, the remembered path would look cheaper than it is
        Map<String, Object> s = summary(rounds(200, 210, 900, 205, 200), rounds(230, 235, 240, 400, 232), false);

        Map<String, Object> t = target(s);
        assertEquals(30.0, t.get("value"));
        assertEquals(true, t.get("met"));
        @SuppressWarnings("unchecked")
        Map<String, Object> added = (Map<String, Object>) ((Map<String, Object>) s.get("addedToMedianMicros")).get("callWithTokenCheck");
        assertEquals(List.of(30.0, 25.0, -660.0, 195.0, 32.0), added.get("perRound"));
        assertEquals(-660.0, added.get("min"));
        assertEquals(195.0, added.get("max"));
    }

    @Test
    void reportsTheTargetMissedWhenMostRoundsAddMoreThan100Micros() {
        Map<String, Object> t = target(summary(rounds(200, 200, 200), rounds(320, 290, 305), false));

        assertEquals(105.0, t.get("value"));
        assertEquals(false, t.get("met"));
        assertTrue(TokenCheckCost.markdown(summary(rounds(200, 200, 200), rounds(320, 290, 305), false))
                .contains("| 105.0 µs | ≤ 100 µs | **no** |"), "the report's row says the target was missed");
    }

    @Test
    void doesNotJudgeAQuickRun() {
        Map<String, Object> s = summary(rounds(200, 200), rounds(210, 210), true);

        assertNull(target(s).get("met"));
        String md = TokenCheckCost.markdown(s);
        assertTrue(md.contains("not judged (--quick)"), md);
    }

    @Test
    void tablesEveryCallPathWithItsRoundsAndTheVerifierAlone() {
        String md = TokenCheckCost.markdown(summary(rounds(200, 210, 205), rounds(230, 235, 240), false));

        assertTrue(md.contains("| call, certificate check only (the baseline) | 303 | 205.0 | 212.0 | 214.7 | 200.0, 210.0, 205.0 |"), md);
        assertTrue(md.contains("| call + token check as the gateway runs it (verified tokens remembered) | 30.0 (25.0–35.0) | 30.0, 25.0, 35.0 |"), md);
        assertTrue(md.contains("| the verifier alone, a remembered token | 101 | 0.70 | 0.74 | 0.75 |"), md);
    }

    @Test
    void takesTheNearestRankPercentile() {
        long[] samples = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

        assertEquals(5, TokenCheckCost.percentile(samples, 50));
        assertEquals(9, TokenCheckCost.percentile(samples, 90));
        assertEquals(10, TokenCheckCost.percentile(samples, 99));
        assertEquals(1, TokenCheckCost.percentile(new long[] {1}, 50));
    }
}
