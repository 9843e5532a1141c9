package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnknownFieldSet;

import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.Withheld;

class AnswerFilterTest {

    private final PolicySet demo = PolicyFixtures.loadDemo();
    private final AnswerFilter filter = demo.answerFilter();

    private static final PlatformRating RAW = PlatformRating.newBuilder()
            .setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit").setTier("good")
            .setComputedAt(Timestamp.newBuilder().setSeconds(1_793_000_000L))
            .setValidUntil(Timestamp.newBuilder().setSeconds(1_801_000_000L))
            .addFactors(factor("FINANCIAL", "on-time-repayment", Map.of("Blood-Type", "AB-negative", "months", "24")))
            .addFactors(factor("MEDICAL", "chronic-condition", Map.of()))
            .addFactors(factor("TRAFFIC", "speeding", Map.of()))
            .addFactors(factor("blood type", "donor", Map.of()))
            .addFactors(factor("JUDICIAL", "unpaid-judgment", Map.of()))
            .addFactors(factor("COMMERCIAL", "faithRating", Map.of()))
            .addFactors(factor("HOROSCOPE", "stars", Map.of()))
            .putAttributes("religiousAffiliation", "buddhist")
            .putAttributes("channel", "app")
            .build();

    @Test
    void fullDisclosureKeepsOnlyGrantedCleanFactorsAndListsTheRestByCategory() {
        Decision d = demo.decide(demo.member("court").orElseThrow(), "court-enforcement", Set.of(), Disclosure.FULL);
        AnswerFilter.Filtered out = filter.filter("alpha-credit", RAW, d);
        ReportedScore s = out.score();

        assertEquals(List.of("on-time-repayment", "unpaid-judgment"), s.getFactorsList().stream().map(Factor::getCode).toList());
        assertEquals(Map.of("months", "24"), s.getFactors(0).getAttributesMap());
        assertEquals(603, s.getNormalizedValue(), "(712 - 350) / 600 on the 0-1000 band");
        assertEquals(712.0, s.getOriginalValue());
        assertEquals("alpha-credit", s.getScale().getId());
        assertEquals(List.of("excellent", "very-good", "good", "fair", "poor"), s.getScale().getTiersList());
        assertEquals("excellent", s.getTier(), "the policy's band for 712, though the platform said good");
        assertEquals(RAW.getComputedAt(), s.getComputedAt());

        assertEquals(Set.of(
                "attributes.religiousAffiliation|RELIGION|prohibited category",
                "factors[0].attributes.Blood-Type|BLOOD_TYPE|prohibited category",
                "factors[1]|MEDICAL|prohibited category",
                "factors[2]|TRAFFIC|category not granted",
                "factors[3]|BLOOD_TYPE|prohibited category",
                "factors[5]|RELIGION|prohibited category",
                "factors[6]||category not in taxonomy"), describe(out.withheld()));
        assertNoValueLeaks(out.withheld(), "AB-negative", "buddhist");
    }

    @Test
    void scoreDisclosureGivesValuesAndTierButNoFactors() {
        Decision d = demo.decide(demo.member("court").orElseThrow(), "loan-eligibility", Set.of("FINANCIAL"), null);
        assertEquals(Disclosure.SCORE, d.disclosure());
        AnswerFilter.Filtered out = filter.filter("alpha-credit", RAW, d);
        assertEquals(0, out.score().getFactorsCount());
        assertTrue(out.score().hasNormalizedValue());
        assertTrue(out.score().hasOriginalValue());
        assertTrue(out.score().hasScale());
        assertTrue(describe(out.withheld()).contains("factors||disclosure SCORE"), out.withheld().toString());
        assertTrue(describe(out.withheld()).contains("factors[4]|JUDICIAL|category not granted"));
    }

    @Test
    void tierOnlyDisclosureGivesTheTierAlone() {
        Decision d = demo.decide(demo.member("railway").orElseThrow(), "travel-restriction-check", Set.of(), null);
        PlatformRating beta = RAW.toBuilder().setPlatform("beta-score").setScaleId("beta-score").setValue(880).setTier("B").build();
        AnswerFilter.Filtered out = filter.filter("beta-score", beta, d);
        ReportedScore s = out.score();
        assertEquals("B", s.getTier());
        assertFalse(s.hasNormalizedValue());
        assertFalse(s.hasOriginalValue());
        assertFalse(s.hasScale());
        assertEquals(0, s.getFactorsCount());
        Set<String> withheld = describe(out.withheld());
        for (String field : List.of("normalized_value", "original_value", "scale", "factors")) {
            assertTrue(withheld.contains(field + "||disclosure TIER_ONLY"), withheld.toString());
        }
    }

    @Test
    void theTierComesFromThePolicyScaleNotThePlatformsLabel() {
        Decision d = demo.decide(demo.member("court").orElseThrow(), "loan-eligibility", Set.of(), null);
        PlatformRating mislabelled = RAW.toBuilder().setValue(628).setTier("poor").build();
        ReportedScore s = filter.filter("alpha-credit", mislabelled, d).score();
        assertEquals("good", s.getTier());
        assertEquals(463, s.getNormalizedValue());
        PlatformRating beyond = RAW.toBuilder().setValue(990).build();
        assertEquals(1000, filter.filter("alpha-credit", beyond, d).score().getNormalizedValue(), "clamped to the band");
    }

    @Test
    void refusesToFilterForADeniedRequest() {
        Decision denied = demo.decide(demo.member("railway").orElseThrow(), "court-enforcement", Set.of(), null);
        assertThrows(IllegalArgumentException.class, () -> filter.filter("alpha-credit", RAW, denied));
    }

    @Test
    void ingestCheckNamesEveryProhibitedFieldWithoutValues() {
        List<ProhibitedDataCheck.Violation> violations = demo.prohibitedDataCheck().check(RAW);
        assertEquals(List.of("rating.factors[0].attributes.Blood-Type: prohibited category BLOOD_TYPE",
                        "rating.factors[1]: prohibited category MEDICAL",
                        "rating.factors[3]: prohibited category BLOOD_TYPE",
                        "rating.factors[5]: prohibited category RELIGION",
                        "rating.attributes.religiousAffiliation: prohibited category RELIGION"),
                violations.stream().map(Object::toString).toList());
        cxg.v1.RecordSubmission record = cxg.v1.RecordSubmission.newBuilder().setCategory("Medical").setMeasure("none").build();
        assertEquals(List.of(new ProhibitedDataCheck.Violation("record.category", "MEDICAL")),
                demo.prohibitedDataCheck().check(record));
    }

    @Test
    void fieldsUnknownToTheGatewayNeverPassThroughInAKeptFactor() {
        Decision d = demo.decide(demo.member("court").orElseThrow(), "court-enforcement", Set.of(), Disclosure.FULL);
        UnknownFieldSet smuggled = UnknownFieldSet.newBuilder().addField(99, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("diagnosis: chronic")).build()).build();
        PlatformRating raw = PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712)
                .addFactors(factor("FINANCIAL", "on-time-repayment", Map.of("months", "24")).toBuilder().setUnknownFields(smuggled))
                .build();
        ReportedScore s = filter.filter("alpha-credit", raw, d).score();
        assertEquals(1, s.getFactorsCount());
        assertEquals(Map.of("months", "24"), s.getFactors(0).getAttributesMap());
        assertTrue(s.getFactors(0).getUnknownFields().asMap().isEmpty());
        assertFalse(s.toByteString().toStringUtf8().contains("chronic"));
    }

    static Set<String> describe(List<Withheld> withheld) {
        return withheld.stream().map(w -> w.getField() + "|" + w.getCategory() + "|" + w.getReason()).collect(Collectors.toSet());
    }

    static void assertNoValueLeaks(List<Withheld> withheld, String... values) {
        for (Withheld w : withheld) {
            for (String v : values) {
                assertFalse(w.toString().contains(v), () -> "withheld entry leaks a value: " + w);
            }
        }
    }

    static Factor factor(String category, String code, Map<String, String> attributes) {
        return Factor.newBuilder().setCategory(category).setCode(code).setDirection(FactorDirection.NEGATIVE)
                .setDescription("demo").putAllAttributes(attributes).build();
    }
}
