package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The entry builder takes the categories as given and makes the withheld list only when there is one: the entry it
 * makes must be byte for byte the entry of copies of its inputs (what it stored before), whatever collection the
 * categories come in, and must not change when the caller changes its collections afterwards.
 */
class AuditEntryBuilderProperties {

    private static final String[] CATEGORIES = {"FINANCIAL", "JUDICIAL", "TAX", "COMMERCIAL", "ADMINISTRATIVE", "é", "a\"b", ""};
    private static final Instant TIME = Instant.parse("2026-11-26T21:00:00.123456Z");
    private static final SubjectHasher HASHER = new SubjectHasher(new byte[32]);

    @Property(tries = 3000)
    void anEntryIsTheEntryOfCopiesOfWhatTheBuilderWasGiven(@ForAll("inputs") Input in) {
        AuditRecorder recorder = new AuditRecorder(null, HASHER, Clock.fixed(TIME, ZoneOffset.UTC));
        AuditEntry.Builder b = recorder.entry("cxg.v1.QueryService", "QueryScore").caller("court", "agency")
                .purpose("court-enforcement").subject("11010519491231002X");
        if (in.requested() != null) {
            b.categoriesRequested(in.requested());
        }
        if (in.served() != null) {
            b.categoriesServed(in.served());
        }
        if (in.decision() != null) {
            b.decision(in.decision());
        }
        for (AuditEntry.WithheldField w : in.withheld()) {
            b.withheld(w.platform(), w.field(), w.category(), w.reason());
        }
        AuditEntry built = b.requestId("req-1").outcome("OK");

        List<String> served = in.served() != null ? List.copyOf(in.served())
                : in.decision() != null && in.decision().allowed() ? List.copyOf(in.decision().grantedCategories()) : null;
        AuditEntry copies = new AuditEntry(TIME, "court", "agency", "cxg.v1.QueryService", "QueryScore", "court-enforcement",
                HASHER.of("11010519491231002X"), in.requested() == null ? null : List.copyOf(in.requested()), served,
                in.decision() == null || in.decision().disclosure() == null ? null : in.decision().disclosure().name(),
                in.decision() == null ? null : in.decision().allowed(), in.decision() == null ? null : in.decision().rule(),
                List.copyOf(in.withheld()), "req-1", "OK", null);
        byte[] bytes = built.toBytes();
        assertArrayEquals(copies.toBytes(), bytes);
        assertEquals(copies, built);

        if (in.requested() != null) {
            in.requested().clear();
        }
        if (in.served() != null) {
            in.served().add("RELIGION");
        }
        assertArrayEquals(bytes, built.toBytes());
    }

    record Input(Collection<String> requested, Collection<String> served, Decision decision, List<AuditEntry.WithheldField> withheld) {
    }

    @Provide
    Arbitrary<Input> inputs() {
        return Arbitraries.randomValue(AuditEntryBuilderProperties::input);
    }

    private static Input input(Random r) {
        List<AuditEntry.WithheldField> withheld = new ArrayList<>();
        for (int k = r.nextInt(3) == 0 ? r.nextInt(4) : 0; k > 0; k--) {
            withheld.add(new AuditEntry.WithheldField("alpha-credit", "factors[" + k + "]", r.nextBoolean() ? null : pick(r), "why"));
        }
        Decision decision = switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> Decision.deny("agreements.yaml#none", "no agreement");
            default -> Decision.allow("agreements.yaml#court-enforcement", "granted",
                    r.nextBoolean() ? Disclosure.FULL : null, new HashSet<>(categories(r, new ArrayList<>())));
        };
        return new Input(r.nextInt(5) == 0 ? null : categories(r, collection(r)), r.nextInt(3) == 0 ? null : categories(r, collection(r)),
                decision, withheld);
    }

    /** A list (sorted or not, with repeats), or a set: the builder's callers pass all three. */
    private static Collection<String> collection(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new ArrayList<>();
            case 1 -> new HashSet<>();
            default -> new LinkedHashSet<>();
        };
    }

    private static Collection<String> categories(Random r, Collection<String> into) {
        for (int k = r.nextInt(6); k > 0; k--) {
            into.add(pick(r));
        }
        if (r.nextInt(4) == 0 && into instanceof List<String> list) {
            list.sort(null);
        }
        return into;
    }

    private static String pick(Random r) {
        return CATEGORIES[r.nextInt(CATEGORIES.length)];
    }
}
