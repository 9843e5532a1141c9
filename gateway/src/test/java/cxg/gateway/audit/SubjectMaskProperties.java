package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The masked subject the audit log stores and shows: first 4 and last 4 characters, the rest as {@code *}. */
class SubjectMaskProperties {

    @Property(tries = 5000)
    void aMaskKeepsTheFirstAndLastFourCharactersOfTheNormalisedIdentifier(@ForAll("identifiers") String identifier) {
        String id = identifier.trim().toUpperCase(java.util.Locale.ROOT);
        String expected = id.length() <= 8 ? "*".repeat(id.length())
                : id.substring(0, 4) + "*".repeat(id.length() - 8) + id.substring(id.length() - 4);
        assertEquals(expected, SubjectHasher.mask(identifier));
        assertEquals(expected, new SubjectHasher(new byte[32]).of(identifier).masked());
    }

    @Provide
    Arbitrary<String> identifiers() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789XYabcxyz ").ofMinLength(0).ofMaxLength(30),
                Arbitraries.strings().all().ofMinLength(0).ofMaxLength(30),
                Arbitraries.of("11010519491231002X", "91350100M000100Y43", " 11010519491231002x ", "12345678", "123456789", ""));
    }
}
