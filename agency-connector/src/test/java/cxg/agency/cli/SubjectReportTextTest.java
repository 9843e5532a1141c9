package cxg.agency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cxg.v1.AuditDecision;
import cxg.v1.AuditRecord;
import cxg.v1.Disclosure;
import org.junit.jupiter.api.Test;

/** The subject access report says what left the gateway, not what the agreement would have allowed. */
class SubjectReportTextTest {

    private static AuditRecord answered(Disclosure disclosure, String... categories) {
        return AuditRecord.newBuilder().setDecision(AuditDecision.ALLOW).setOutcome("OK").setDisclosure(disclosure)
                .addAllCategoriesServed(java.util.List.of(categories)).build();
    }

    @Test
    void tierOnlyAnswerServedATierAndNoCategory() {
        assertEquals("tier only", AuditCli.served(answered(Disclosure.TIER_ONLY)));
    }

    @Test
    void fullAnswerNamesTheCategoriesOfItsFactors() {
        assertEquals("tier, score and factors in FINANCIAL, JUDICIAL",
                AuditCli.served(answered(Disclosure.FULL, "FINANCIAL", "JUDICIAL")));
        assertEquals("tier and score (no factors)", AuditCli.served(answered(Disclosure.FULL)));
    }

    @Test
    void restrictionCheckSaysItAnsweredYesOrNoFromItsCategories() {
        AuditRecord check = answered(Disclosure.DISCLOSURE_UNSPECIFIED, "JUDICIAL").toBuilder()
                .setMethod(AuditCli.RESTRICTION_CHECK).build();
        assertEquals("restriction yes/no with measures and dates, from JUDICIAL", AuditCli.served(check));
    }

    @Test
    void deniedOrFailedRequestServedNothing() {
        assertEquals("nothing", AuditCli.served(AuditRecord.newBuilder().setDecision(AuditDecision.DENY)
                .setOutcome("PERMISSION_DENIED").build()));
        assertEquals("nothing", AuditCli.served(answered(Disclosure.FULL, "FINANCIAL").toBuilder().setOutcome("UNAVAILABLE").build()));
    }
}
