package cxg.gateway.policy;

import static cxg.gateway.policy.PolicyFixtures.append;
import static cxg.gateway.policy.PolicyFixtures.copyDemo;
import static cxg.gateway.policy.PolicyFixtures.edit;
import static cxg.gateway.policy.PolicyFixtures.lineOf;
import static cxg.gateway.policy.PolicyFixtures.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

    @TempDir
    Path dir;

    @Test
    void loadsTheDemoPolicySet() {
        PolicySet set = PolicyFixtures.loadDemo();
        assertEquals(List.of("alpha-credit", "beta-score"), set.platforms().stream().map(Member::id).toList());
        assertEquals("127.0.0.1:7501", set.member("alpha-credit").orElseThrow().scorerEndpoint().orElseThrow());
        assertEquals("beta-score", set.member("beta-score").orElseThrow().scaleId().orElseThrow());
        assertEquals(MemberKind.AUDITOR, set.member("auditor").orElseThrow().kind());
        assertTrue(set.isKnownPurpose("deposit-waiver"));
        assertFalse(set.isKnownPurpose("curiosity"));
        assertTrue(set.isKnownCategory("SOCIAL_SECURITY"));
        assertTrue(set.isKnownCategory("MEDICAL"), "prohibited categories are known, so that asking for one is denied by rule");
        assertFalse(set.isKnownCategory("HOROSCOPE"));
        assertEquals(350, set.scale("alpha-credit").orElseThrow().min());
    }

    @Test
    void findsMembersByCertificateSubjectComparedAsX500Names() {
        PolicySet set = PolicyFixtures.loadDemo();
        assertEquals("court", set.memberByCertificateSubject("CN=court,OU=agency,O=cxg-demo").orElseThrow().id());
        assertEquals("court", set.memberByCertificateSubject("cn=court, ou=agency, o=cxg-demo").orElseThrow().id());
        assertEquals("railway", set.memberByCertificateSubject("CN=railway,  OU=agency,O=CXG-DEMO").orElseThrow().id());
        assertTrue(set.memberByCertificateSubject("CN=court,OU=agency,O=other").isEmpty());
        assertTrue(set.memberByCertificateSubject("CN=mallory,OU=agency,O=cxg-demo").isEmpty());
        assertTrue(set.memberByCertificateSubject("not a name at all ==").isEmpty());
        assertTrue(set.memberByCertificateSubject(null).isEmpty());
    }

    @Test
    void rejectsAnAgreementGrantingMedicalNamingFileAndLine() {
        copyDemo(dir);
        edit(dir, "agreements.yaml", "categories: [FINANCIAL, COMMERCIAL]", "categories: [FINANCIAL, COMMERCIAL, MEDICAL]");
        int line = lineOf(dir, "agreements.yaml", "MEDICAL");
        PolicyLoader.Result result = load(dir);
        assertFalse(result.ok());
        assertEquals(List.of("agreements.yaml:" + line + ": agreement court-loan-eligibility grants prohibited category"
                + " MEDICAL; no agreement may grant it"), result.errors().stream().map(PolicyError::toString).toList());
    }

    @Test
    void reportsSchemaViolationsAtTheirLine() {
        copyDemo(dir);
        edit(dir, "agreements.yaml", "disclosure: SCORE", "disclosure: EVERYTHING");
        edit(dir, "members.yaml", "    kind: auditor", "    kind: auditor\n    colour: blue");
        PolicyLoader.Result result = load(dir);
        assertEquals(2, result.errors().size(), result.errors().toString());
        PolicyError agreement = result.errors().get(0);
        assertEquals("agreements.yaml", agreement.file());
        assertEquals(lineOf(dir, "agreements.yaml", "EVERYTHING"), agreement.line());
        assertTrue(agreement.message().contains("disclosure"), agreement.message());
        PolicyError member = result.errors().get(1);
        assertEquals("members.yaml", member.file());
        assertTrue(member.message().contains("colour"), member.message());
    }

    @Test
    void reportsUnknownMembersPurposesAndCategories() {
        copyDemo(dir);
        edit(dir, "agreements.yaml", "member: railway", "member: ministry");
        edit(dir, "agreements.yaml", "purpose: deposit-waiver", "purpose: gossip");
        edit(dir, "agreements.yaml", "[JUDICIAL, FINANCIAL, TRAFFIC]", "[JUDICIAL, FINANCIAL, HOROSCOPE]");
        List<String> errors = load(dir).errors().stream().map(PolicyError::toString).toList();
        assertEquals(List.of(
                "agreements.yaml:" + lineOf(dir, "agreements.yaml", "ministry") + ": agreement railway-travel-restriction: unknown member 'ministry'",
                "agreements.yaml:" + lineOf(dir, "agreements.yaml", "HOROSCOPE") + ": agreement railway-travel-restriction: unknown category 'HOROSCOPE' (not in categories.yaml)",
                "agreements.yaml:" + lineOf(dir, "agreements.yaml", "gossip") + ": agreement railway-deposit-waiver: unknown purpose 'gossip'"),
                errors);
    }

    @Test
    void reportsOverlappingAndContradictoryAgreements() {
        copyDemo(dir);
        append(dir, "agreements.yaml", """
                  - id: court-enforcement-renewal
                    member: court
                    purpose: court-enforcement
                    categories: [FINANCIAL]
                    disclosure: SCORE
                    validFrom: 2030-06-01
                    validUntil: 2031-12-31
                    legalBasis: "renewal"
                    quotaPerMinute: 10
                """);
        List<PolicyError> errors = load(dir).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(lineOf(dir, "agreements.yaml", "court-enforcement-renewal"), errors.get(0).line());
        assertEquals("agreement court-enforcement-renewal contradicts agreement court-enforcement (line "
                + lineOf(dir, "agreements.yaml", "id: court-enforcement") + "): both cover member court and purpose"
                + " court-enforcement from 2030-06-01 to 2030-12-31", errors.get(0).message());
    }

    @Test
    void acceptsAgreementsForTheSamePurposeThatFollowEachOther() {
        copyDemo(dir);
        append(dir, "agreements.yaml", """
                  - id: court-enforcement-renewal
                    member: court
                    purpose: court-enforcement
                    categories: [FINANCIAL]
                    disclosure: SCORE
                    validFrom: 2031-01-01
                    validUntil: 2031-12-31
                    legalBasis: "renewal"
                    quotaPerMinute: 10
                """);
        assertTrue(load(dir).ok(), () -> load(dir).errors().toString());
    }

    @Test
    void reportsExpiredValidity() {
        copyDemo(dir);
        edit(dir, "agreements.yaml", "validUntil: 2030-12-31", "validUntil: 2026-06-30");
        List<PolicyError> errors = load(dir).errors();
        assertEquals(List.of(new PolicyError("agreements.yaml", lineOf(dir, "agreements.yaml", "2026-06-30"),
                "agreement court-enforcement: validity expired on 2026-06-30")), errors);
    }

    @Test
    void reportsScalesThatDoNotCoverTheirRange() {
        copyDemo(dir);
        edit(dir, "scales.yaml", "{ label: good, from: 600, to: 650 }", "{ label: good, from: 610, to: 650 }");
        edit(dir, "scales.yaml", "{ label: A, from: 900, to: 1000 }", "{ label: A, from: 900, to: 990 }");
        List<String> errors = load(dir).errors().stream().map(PolicyError::toString).toList();
        assertEquals(List.of(
                "scales.yaml:" + lineOf(dir, "scales.yaml", "from: 610") + ": scale alpha-credit: tiers leave [600, 610) uncovered",
                "scales.yaml:" + lineOf(dir, "scales.yaml", "to: 990") + ": scale beta-score: tiers leave [990, 1000] uncovered"),
                errors);
    }

    @Test
    void refusesToDropOrAllowALegallyProhibitedCategory() {
        copyDemo(dir);
        edit(dir, "categories.yaml", "  - id: MEDICAL\n", "  - id: MEDICAL_X\n");
        edit(dir, "categories.yaml", "  - id: VOLUNTEERING\n", "  - id: VOLUNTEERING\n  - id: HEALTH_RECORD_FLAGS\n");
        List<String> messages = load(dir).errors().stream().map(PolicyError::message).toList();
        assertTrue(messages.contains("prohibited must list MEDICAL: it is prohibited by law"), messages.toString());
        assertTrue(messages.contains("allowed category HEALTH_RECORD_FLAGS reveals prohibited category MEDICAL_X"),
                messages.toString());
    }

    @Test
    void refusesAKeywordTheMatcherCannotReadInsteadOfIgnoringIt() {
        copyDemo(dir);
        edit(dir, "categories.yaml", "keywords: [blood_type,", "keywords: [\"血型_abo\", blood_type,");
        List<String> errors = load(dir).errors().stream().map(PolicyError::toString).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("categories.yaml:" + lineOf(dir, "categories.yaml", "血型_abo") + ": "), errors.get(0));
        assertTrue(errors.get(0).contains("keywords"), errors.get(0));
    }

    @Test
    void reportsYamlSyntaxErrorsAndDuplicateKeysWithTheirLine() throws Exception {
        copyDemo(dir);
        edit(dir, "purposes.yaml", "  - id: loan-eligibility", "  - id: loan-eligibility\n    id: loan");
        Files.writeString(dir.resolve("scales.yaml"), "scales:\n  - id: [unclosed\n");
        List<String> errors = load(dir).errors().stream().map(PolicyError::toString).toList();
        assertEquals(2, errors.size(), errors.toString());
        int duplicate = lineOf(dir, "purposes.yaml", "id: loan-eligibility") + 1;
        assertEquals("purposes.yaml:" + duplicate + ": duplicate key 'id'", errors.get(0));
        assertTrue(errors.get(1).startsWith("scales.yaml:3: YAML syntax"), errors.get(1));
    }

    @Test
    void carriesAPlatformsSigningKeyAndRejectsOneThatIsNotEd25519() throws Exception {
        copyDemo(dir);
        String key = java.util.Base64.getEncoder().encodeToString(
                java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        edit(dir, "members.yaml", "    scale: alpha-credit\n", "    scale: alpha-credit\n    signingKey: { algorithm: Ed25519, publicKey: \""
                + key + "\" }\n");
        assertEquals(key, load(dir).policySet().orElseThrow().member("alpha-credit").orElseThrow().signingKey().orElseThrow());

        edit(dir, "members.yaml", key, "AAAA" + key.substring(4));
        assertEquals(List.of(new PolicyError("members.yaml", lineOf(dir, "members.yaml", "signingKey"),
                "member alpha-credit: publicKey is not a base64 Ed25519 SubjectPublicKeyInfo")), load(dir).errors());
    }

    @Test
    void reportsAMissingFile() throws Exception {
        copyDemo(dir);
        Files.delete(dir.resolve("purposes.yaml"));
        assertEquals(List.of(new PolicyError("purposes.yaml", 0, "file is missing")), load(dir).errors());
    }
}
