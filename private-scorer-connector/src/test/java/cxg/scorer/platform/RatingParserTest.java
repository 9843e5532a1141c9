package cxg.scorer.platform;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatingParserTest {

    private static RatingParser.Parsed parse(String json) {
        return RatingParser.parse(json.getBytes(StandardCharsets.UTF_8), "beta-score", "beta-score");
    }

    private static String problem(String json) {
        RatingParser.Parsed parsed = parse(json);
        assertFalse(parsed.ok(), "expected a problem for " + json);
        return parsed.problem();
    }

    @Test
    void acceptsAMinimalRatingAndIgnoresUnknownFields() {
        RatingParser.Parsed parsed = parse("""
                {"value":880,"tier":"A","computedAt":"2026-11-01T08:00:00+08:00","model":"x"}""");

        assertTrue(parsed.ok());
        assertEquals(880.0, parsed.rating().getValue());
        assertEquals("A", parsed.rating().getTier());
        assertEquals(1_793_491_200L, parsed.rating().getComputedAt().getSeconds());
        assertFalse(parsed.rating().hasValidUntil());
        assertEquals(0, parsed.rating().getFactorsCount());
    }

    @Test
    void namesEachMissingRequiredField() {
        assertEquals("value: missing", problem("{\"tier\":\"A\",\"computedAt\":\"2026-11-01T00:00:00Z\"}"));
        assertEquals("tier: missing", problem("{\"value\":1,\"computedAt\":\"2026-11-01T00:00:00Z\"}"));
        assertEquals("computedAt: missing", problem("{\"value\":1,\"tier\":\"A\"}"));
    }

    @Test
    void refusesATimestampWithoutOffset() {
        assertEquals("validUntil: must be an ISO-8601 timestamp with offset, e.g. 2026-11-01T00:00:00Z",
                problem("{\"value\":1,\"tier\":\"A\",\"computedAt\":\"2026-11-01T00:00:00Z\","
                        + "\"validUntil\":\"2027-02-01\"}"));
    }

    @Test
    void namesTheFactorWithAnUnknownDirection() {
        assertEquals("factors[1].direction: must be one of POSITIVE, NEGATIVE, NEUTRAL", problem("""
                {"value":1,"tier":"A","computedAt":"2026-11-01T00:00:00Z","factors":[
                  {"category":"FINANCIAL","code":"a","direction":"POSITIVE"},
                  {"category":"FINANCIAL","code":"b","direction":"UP"}]}"""));
    }

    @Test
    void refusesAttributeValuesThatAreNotStrings() {
        assertEquals("factors[0].attributes: every value must be a string", problem("""
                {"value":1,"tier":"A","computedAt":"2026-11-01T00:00:00Z","factors":[
                  {"category":"FINANCIAL","code":"a","direction":"POSITIVE","attributes":{"n":3}}]}"""));
    }

    @Test
    void refusesDuplicateKeysTrailingGarbageAndNonObjects() {
        assertEquals("body is not valid JSON",
                problem("{\"value\":1,\"value\":2,\"tier\":\"A\",\"computedAt\":\"2026-11-01T00:00:00Z\"}"));
        assertEquals("body is not valid JSON",
                problem("{\"value\":1,\"tier\":\"A\",\"computedAt\":\"2026-11-01T00:00:00Z\"} {}"));
        assertEquals("body must be a JSON object", problem("[1,2]"));
    }
}
