package cxg.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aRunBoundByTimeSaysHowMuchOfItHasPassed() {
        assertEquals("QueryScore @ 127.0.0.1:7443: 20 s of 60 s, 121,440 answered (6,072/s), 3 failed",
                Progress.line("QueryScore @ 127.0.0.1:7443", LoadSpec.closed(64, 0, Duration.ofSeconds(60), Duration.ZERO), 20.0, 121_440, 3));
    }

    @Test
    void aRunBoundByCallsSaysHowManyOfThemWereAnswered() {
        assertEquals("GetScore @ 127.0.0.1:7501: 10 s, 50,000 of 1,000,000 answered (5,000/s), 0 failed",
                Progress.line("GetScore @ 127.0.0.1:7501", LoadSpec.open(5000, 10_000, 1_000_000, null, Duration.ZERO), 10.0, 50_000, 0));
    }
}
