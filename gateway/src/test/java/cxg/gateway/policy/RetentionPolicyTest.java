package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.testing.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** categories.yaml#retention: how long ended submissions are kept, validated with the rest of the set. */
class RetentionPolicyTest {

    @TempDir
    Path dir;

    private PolicyLoader.Result loadWith(String retention) throws Exception {
        Path policies = TestPolicies.copyTo(dir.resolve("policies"));
        Path categories = policies.resolve("categories.yaml");
        String text = Files.readString(categories);
        int from = text.indexOf("retention:");
        int to = text.indexOf("allowed:");
        Files.writeString(categories, text.substring(0, from) + retention + text.substring(to));
        return new PolicyLoader(Clock.systemUTC(), QuotaLimiter.unlimited()).load(policies);
    }

    @Test
    void theDemoPolicyKeepsEndedSubmissionsThirtyDays() {
        assertEquals(new Retention(Duration.ofDays(30), Duration.ofDays(30)),
                TestPolicies.load(TestPolicies.copyTo(dir.resolve("demo"))).retention());
    }

    @Test
    void hoursAreAcceptedAndAnAbsentPeriodTakesTheDefault() throws Exception {
        PolicyLoader.Result r = loadWith("retention:\n  afterLift: PT12H\n");
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(new Retention(Duration.ofDays(30), Duration.ofHours(12)), r.policySet().orElseThrow().retention());
    }

    @Test
    void aPeriodThatIsNoDurationIsRefusedNamingTheFileAndField() throws Exception {
        PolicyLoader.Result r = loadWith("retention:\n  afterExpiry: 30 days\n");
        assertFalse(r.ok());
        assertTrue(r.errors().toString().contains("categories.yaml") && r.errors().toString().contains("afterExpiry"),
                r.errors().toString());
    }

    @Test
    void aPeriodBeyondTenYearsIsRefused() throws Exception {
        PolicyLoader.Result r = loadWith("retention:\n  afterExpiry: P4000D\n");
        assertFalse(r.ok());
        assertTrue(r.errors().toString().contains("retention.afterExpiry must be between P0D and P3650D"), r.errors().toString());
    }
}
