package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoreTest {

    @TempDir
    Path dir;

    private PolicyStore open() {
        return PolicyStore.open(dir, new PolicyLoader(PolicyFixtures.NOV_2026, QuotaLimiter.unlimited()), PolicyFixtures.NOV_2026);
    }

    private static boolean railwayMay(PolicySet set, String purpose) {
        return set.decide(set.member("railway").orElseThrow(), purpose, Set.of(), null).allowed();
    }

    @Test
    void swapsInAChangedGoodSet() {
        PolicyFixtures.copyDemo(dir);
        PolicyStore store = open();
        PolicySet first = store.current();
        assertEquals(List.of(), store.reloadIfChanged(), "nothing changed");
        assertSame(first, store.current());

        PolicyFixtures.edit(dir, "agreements.yaml", "purpose: deposit-waiver", "purpose: loan-eligibility");
        assertEquals(List.of(), store.reloadIfChanged());
        assertTrue(railwayMay(store.current(), "loan-eligibility"));
        assertTrue(!railwayMay(store.current(), "deposit-waiver"));
        assertTrue(railwayMay(first, "deposit-waiver"), "a snapshot taken before the swap is unchanged");
        assertTrue(store.status().lastError().isEmpty());
    }

    @Test
    void keepsServingTheLastGoodSetWhenTheNewOneIsBrokenAndRecoversWhenFixed() {
        PolicyFixtures.copyDemo(dir);
        PolicyStore store = open();
        PolicySet good = store.current();

        PolicyFixtures.edit(dir, "agreements.yaml", "categories: [FINANCIAL]", "categories: [FINANCIAL, GENETICS]");
        PolicyFixtures.edit(dir, "agreements.yaml", "purpose: travel-restriction-check", "purpose: loan-eligibility");
        List<PolicyError> errors = store.reloadIfChanged();
        int line = PolicyFixtures.lineOf(dir, "agreements.yaml", "GENETICS");
        assertEquals(List.of(new PolicyError("agreements.yaml", line,
                "agreement railway-deposit-waiver grants prohibited category GENETICS; no agreement may grant it")), errors);
        assertSame(good, store.current(), "a broken set never replaces the good one");
        assertTrue(railwayMay(store.current(), "travel-restriction-check"));
        assertEquals("agreements.yaml:" + line + ": agreement railway-deposit-waiver grants prohibited category GENETICS;"
                + " no agreement may grant it", store.status().lastError().orElseThrow());
        assertTrue(store.status().failedAt().isPresent());
        assertEquals(List.of(), store.reloadIfChanged(), "the same broken files are not judged again");

        PolicyFixtures.edit(dir, "agreements.yaml", "categories: [FINANCIAL, GENETICS]", "categories: [FINANCIAL]");
        assertEquals(List.of(), store.reloadIfChanged());
        assertTrue(railwayMay(store.current(), "loan-eligibility"), "the fixed set is served");
        assertTrue(store.status().lastError().isEmpty(), "the error clears once a good set loads");
    }

    @Test
    void refusesToStartOnABrokenSetListingEveryError() {
        PolicyFixtures.copyDemo(dir);
        PolicyFixtures.edit(dir, "members.yaml", "kind: auditor", "kind: overseer");
        PolicyFixtures.edit(dir, "agreements.yaml", "purpose: court-enforcement", "purpose: enforcement");
        PolicyStore.InvalidPolicyException e = assertThrows(PolicyStore.InvalidPolicyException.class, this::open);
        assertEquals(2, e.errors().size(), e.getMessage());
        assertTrue(e.getMessage().contains("\nagreements.yaml:" + PolicyFixtures.lineOf(dir, "agreements.yaml", "purpose: enforcement")
                + ": agreement court-enforcement: unknown purpose 'enforcement'"), e.getMessage());
        assertTrue(e.getMessage().contains("\nmembers.yaml:" + PolicyFixtures.lineOf(dir, "members.yaml", "overseer") + ": schema"),
                e.getMessage());
    }
}
