package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import cxg.gateway.policy.Decision.Outcome;

class DecisionTableTest {

    private final PolicySet demo = PolicyFixtures.loadDemo();

    @ParameterizedTest(name = "{0} {1} [{2}] {3} -> {4} by {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # member | purpose                  | categories          | disclosure | outcome                | rule
            court    | court-enforcement        | FINANCIAL JUDICIAL  | FULL       | ALLOWED                | agreements.yaml#court-enforcement
            court    | court-enforcement        | TAX                 | SCORE      | ALLOWED                | agreements.yaml#court-enforcement
            court    | loan-eligibility         | FINANCIAL           | SCORE      | ALLOWED                | agreements.yaml#court-loan-eligibility
            court    | loan-eligibility         | FINANCIAL           | TIER_ONLY  | ALLOWED                | agreements.yaml#court-loan-eligibility
            railway  | travel-restriction-check | JUDICIAL            | TIER_ONLY  | ALLOWED                | agreements.yaml#railway-travel-restriction
            railway  | deposit-waiver           | FINANCIAL           | -          | ALLOWED                | agreements.yaml#railway-deposit-waiver
            railway  | court-enforcement        | JUDICIAL            | TIER_ONLY  | PURPOSE_NOT_GRANTED    | default-deny
            court    | deposit-waiver           | FINANCIAL           | TIER_ONLY  | PURPOSE_NOT_GRANTED    | default-deny
            auditor  | court-enforcement        | JUDICIAL            | FULL       | PURPOSE_NOT_GRANTED    | default-deny
            alpha-credit | loan-eligibility     | FINANCIAL           | SCORE      | PURPOSE_NOT_GRANTED    | default-deny
            court    | court-enforcement        | TRAFFIC             | FULL       | CATEGORY_NOT_GRANTED   | agreements.yaml#court-enforcement
            railway  | deposit-waiver           | FINANCIAL TAX       | TIER_ONLY  | CATEGORY_NOT_GRANTED   | agreements.yaml#railway-deposit-waiver
            court    | court-enforcement        | MEDICAL             | FULL       | PROHIBITED_CATEGORY    | categories.yaml#prohibited
            court    | court-enforcement        | FINANCIAL BLOOD_TYPE | TIER_ONLY | PROHIBITED_CATEGORY    | categories.yaml#prohibited
            court    | court-enforcement        | HOROSCOPE           | FULL       | UNKNOWN_CATEGORY       | categories.yaml
            court    | curiosity                | FINANCIAL           | FULL       | UNKNOWN_PURPOSE        | purposes.yaml
            court    | loan-eligibility         | FINANCIAL           | FULL       | DISCLOSURE_NOT_GRANTED | agreements.yaml#court-loan-eligibility
            railway  | travel-restriction-check | JUDICIAL            | SCORE      | DISCLOSURE_NOT_GRANTED | agreements.yaml#railway-travel-restriction
            """)
    void decides(String member, String purpose, String categories, String disclosure, Outcome outcome, String rule) {
        Decision d = demo.decide(demo.member(member).orElseThrow(), purpose, set(categories),
                disclosure == null ? null : Disclosure.valueOf(disclosure));
        assertEquals(outcome, d.outcome(), d.reason());
        assertEquals(rule, d.rule());
        assertEquals(outcome == Outcome.ALLOWED, d.allowed());
        assertFalse(d.reason().isBlank());
    }

    @Test
    void anAllowGrantsWhatWasAskedOrElseAllTheAgreementGrants() {
        Member court = demo.member("court").orElseThrow();
        Decision asked = demo.decide(court, "court-enforcement", Set.of("TAX"), Disclosure.SCORE);
        assertEquals(Set.of("TAX"), asked.grantedCategories());
        assertEquals(Disclosure.SCORE, asked.disclosure());
        Decision all = demo.decide(court, "court-enforcement", Set.of(), null);
        assertEquals(Set.of("FINANCIAL", "JUDICIAL", "COMMERCIAL", "TAX", "ADMINISTRATIVE"), all.grantedCategories());
        assertEquals(Disclosure.FULL, all.disclosure());
    }

    @Test
    void deniesAnUnknownMember() {
        Member stranger = Member.of("stranger", MemberKind.AGENCY, "CN=stranger,OU=agency,O=cxg-demo", null, null);
        Decision d = demo.decide(stranger, "court-enforcement", Set.of("FINANCIAL"), Disclosure.FULL);
        assertEquals(Outcome.UNKNOWN_MEMBER, d.outcome());
        assertEquals("members.yaml", d.rule());
        assertEquals(Outcome.UNKNOWN_MEMBER, demo.decide(null, "court-enforcement", Set.of(), null).outcome());
    }

    @Test
    void deniesOutsideTheAgreementsValidity(@TempDir Path dir) {
        PolicyFixtures.copyDemo(dir);
        PolicyFixtures.edit(dir, "agreements.yaml", "validFrom: 2026-01-01", "validFrom: 2027-03-01");
        Clock before = Clock.fixed(Instant.parse("2027-02-28T23:59:59Z"), ZoneOffset.UTC);
        Clock after = Clock.fixed(Instant.parse("2031-01-01T00:00:00Z"), ZoneOffset.UTC);
        Clock firstDay = Clock.fixed(Instant.parse("2027-03-01T00:00:00Z"), ZoneOffset.UTC);
        for (Clock clock : new Clock[] {before, after}) {
            PolicySet set = reloadWith(dir, clock);
            Decision d = set.decide(set.member("court").orElseThrow(), "court-enforcement", Set.of("FINANCIAL"), Disclosure.FULL);
            assertEquals(Outcome.OUTSIDE_VALIDITY, d.outcome(), d.reason());
            assertEquals("agreements.yaml#court-enforcement", d.rule());
            assertTrue(d.reason().contains("2027-03-01"), d.reason());
        }
        PolicySet set = reloadWith(dir, firstDay);
        assertTrue(set.decide(set.member("court").orElseThrow(), "court-enforcement", Set.of(), null).allowed());
    }

    @Test
    void deniesOnceTheAgreementsQuotaPerMinuteIsUsedUp(@TempDir Path dir) {
        PolicyFixtures.copyDemo(dir);
        PolicyFixtures.edit(dir, "agreements.yaml", "quotaPerMinute: 120", "quotaPerMinute: 3");
        AtomicLong nanos = new AtomicLong();
        PolicySet set = new PolicyLoader(PolicyFixtures.NOV_2026, QuotaLimiter.withClock(nanos::get)).load(dir)
                .policySet().orElseThrow();
        Member court = set.member("court").orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertTrue(set.decide(court, "loan-eligibility", Set.of(), null).allowed());
        }
        Decision fourth = set.decide(court, "loan-eligibility", Set.of(), null);
        assertEquals(Outcome.QUOTA_EXCEEDED, fourth.outcome());
        assertEquals("agreements.yaml#court-loan-eligibility", fourth.rule());
        assertTrue(set.decide(court, "court-enforcement", Set.of(), null).allowed(), "other agreements keep their own quota");
        nanos.addAndGet(20_000_000_000L); // 20 s refill one of 3 per minute
        assertTrue(set.decide(court, "loan-eligibility", Set.of(), null).allowed());
        assertFalse(set.decide(court, "loan-eligibility", Set.of(), null).allowed());
    }

    private static PolicySet reloadWith(Path dir, Clock clock) {
        // validate while the agreement is current, then judge at another time
        PolicyLoader.Result r = new PolicyLoader(PolicyFixtures.NOV_2026, QuotaLimiter.unlimited()).load(dir);
        LoadedPolicySet s = (LoadedPolicySet) r.policySet().orElseThrow();
        return s.withClock(clock);
    }

    private static Set<String> set(String categories) {
        return categories == null ? Set.of() : Arrays.stream(categories.trim().split("\\s+")).collect(Collectors.toSet());
    }
}
