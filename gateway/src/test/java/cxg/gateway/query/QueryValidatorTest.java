package cxg.gateway.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.policy.PolicySet;
import cxg.gateway.testing.TestPolicies;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.Disclosure;
import cxg.v1.ScoreQuery;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryValidatorTest {

    @TempDir
    static Path dir;
    static PolicySet policy;

    private final QueryValidator validator = new QueryValidator(() -> "generated-id");

    @BeforeAll
    static void policies() {
        policy = TestPolicies.load(TestPolicies.copyTo(dir));
    }

    private static ScoreQuery.Builder query() {
        return ScoreQuery.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setPurpose("court-enforcement")
                .addCategories("JUDICIAL");
    }

    private Failure failure(ScoreQuery.Builder q) {
        Outcome<ValidatedQuery> outcome = validator.validate(q.build(), policy);
        assertFalse(outcome.isOk(), "expected a validation failure");
        assertEquals(Failure.Reason.INVALID_ARGUMENT, outcome.failure().reason());
        return outcome.failure();
    }

    @Test
    void acceptsAWellFormedQueryAndAssignsARequestId() {
        ValidatedQuery q = validator.validate(query().build(), policy).value();
        assertEquals("11010519491231002X", q.subject().value());
        assertEquals("generated-id", q.requestId());
        assertEquals(Optional.empty(), q.disclosure());
    }

    @Test
    void generatedRequestIdsAreDistinctVersion4UuidsThatPassTheRequestIdRule() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = QueryValidator.randomRequestId();
            java.util.UUID uuid = java.util.UUID.fromString(id);
            assertEquals(4, uuid.version());
            assertEquals(2, uuid.variant());
            assertTrue(id.matches("[A-Za-z0-9._:-]{1,128}"), id);
            ids.add(id);
        }
        assertEquals(1000, ids.size());
    }

    @Test
    void keepsTheCallersRequestId() {
        assertEquals("abc-123", validator.validate(query().setRequestId("abc-123").build(), policy).value().requestId());
    }

    @Test
    void namesSubjectValueForAWrongCheckCharacter() {
        Failure f = failure(query().setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("110105194912310021")));
        assertEquals("subject.value", f.field());
        assertEquals("wrong check character", f.message());
    }

    @Test
    void namesSubjectValueForAWrongOrganisationCheckCharacter() {
        Failure f = failure(query().setSubject(SubjectId.newBuilder()
                .setKind(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE).setValue("91350100M000100Y44")));
        assertEquals("subject.value", f.field());
    }

    @Test
    void namesSubjectKindWhenItIsMissing() {
        assertEquals("subject.kind", failure(query().setSubject(SubjectId.newBuilder().setValue("11010519491231002X"))).field());
        assertEquals("subject", failure(query().clearSubject()).field());
    }

    @Test
    void namesSubjectKindWhenTheIdentifierIsOfTheOtherKind() {
        Failure f = failure(query().setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("91350100M000100Y43")));
        assertEquals("subject.kind", f.field());
        assertTrue(f.message().contains("UNIFIED_SOCIAL_CREDIT_CODE"), f.message());
    }

    @Test
    void namesPurposeWhenUnknownOrMissing() {
        Failure unknown = failure(query().setPurpose("curiosity"));
        assertEquals("purpose", unknown.field());
        assertTrue(unknown.message().contains("curiosity"));
        assertEquals("purpose", failure(query().setPurpose("")).field());
    }

    @Test
    void namesTheIndexOfAnUnknownCategory() {
        assertEquals("categories[2]", failure(query().addCategories("FINANCIAL").addCategories("ASTROLOGY")).field());
    }

    @Test
    void rejectsAMalformedRequestId() {
        assertEquals("request_id", failure(query().setRequestId("has spaces")).field());
        assertEquals("request_id", failure(query().setRequestId("x".repeat(129))).field());
        assertEquals("request_id", failure(query().setRequestId("caf\u00e9")).field());
        assertEquals("request_id", failure(query().setRequestId("a/b")).field());
    }

    @Test
    void acceptsARequestIdOfUpTo128LettersDigitsAndDotUnderscoreColonHyphen() {
        for (String id : List.of("x".repeat(128), "AZaz09._:-", "7")) {
            assertEquals(id, validator.validate(query().setRequestId(id).build(), policy).value().requestId());
        }
    }

    @Test
    void translatesTheRequestedDisclosure() {
        assertEquals(Optional.of(cxg.gateway.policy.Disclosure.TIER_ONLY),
                validator.validate(query().setDisclosure(Disclosure.TIER_ONLY).build(), policy).value().disclosure());
        assertEquals("disclosure", failure(query().setDisclosureValue(42)).field());
    }
}
