package cxg.agency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import cxg.v1.PlatformResult;
import cxg.v1.PlatformStatus;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreReport;
import cxg.v1.ValueSource;
import org.junit.jupiter.api.Test;

class TextReportTest {

    private static ScoreReport report(ValueSource source) {
        return ScoreReport.newBuilder().addResults(PlatformResult.newBuilder().setPlatform("alpha-credit")
                .setStatus(PlatformStatus.OK).setScore(ReportedScore.newBuilder().setTier("very-good").setOriginalValue(655)
                        .setComputedAt(Timestamp.newBuilder().setSeconds(1_790_000_000L)).setSource(source)
                        .setAgeSeconds(25 * 86_400 + 3_600))).build();
    }

    @Test
    void aStoredRatingIsMarkedWithItsAge() {
        ReportView view = ReportView.of(report(ValueSource.STORED));

        assertTrue(TextReport.render(view).contains("stored rating, 25 d old"), TextReport.render(view));
        assertEquals(25L * 86_400 + 3_600, view.results().get(0).ageSeconds());
        assertEquals("STORED", view.results().get(0).source());
    }

    @Test
    void aLiveRatingIsNotMarkedStored() {
        assertFalse(TextReport.render(ReportView.of(report(ValueSource.LIVE))).contains("stored"));
    }
}
