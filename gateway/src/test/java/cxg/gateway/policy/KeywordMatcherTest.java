package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeywordMatcherTest {
    private final CategoryTaxonomy taxonomy = PolicyFixtures.loadDemo().categories();

    @ParameterizedTest
    @ValueSource(strings = {"blood_type", "Blood-Type", "bloodType", "BLOOD_TYPE", "blood type", "donor.bloodType.rh",
            "ｂｌｏｏｄ＿ｔｙｐｅ", "x-Blood--Type-2"})
    void findsBloodTypeWhateverTheSpelling(String key) {
        assertEquals("BLOOD_TYPE", taxonomy.revealedBy(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"months", "amount", "on-time-repayment", "blood", "type", "channel", ""})
    void leavesOrdinaryKeysAlone(String key) {
        assertNull(taxonomy.revealedBy(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Fingerprint_Hash", "faceTemplate", "DNA-sequence", "genomeId", "diagnosisCode", "Medical History",
            "religious_affiliation"})
    void findsOtherProhibitedKeywords(String key) {
        assertEquals(true, taxonomy.revealedBy(key) != null, key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rel\u0130gion", "RELıGION", "diagno\u017Fis", "ｂｌｏｏｄ＿ｔｙｐｅ"})
    void findsKeywordsSpelledWithLettersWhoseCaseIsAscii(String key) {
        assertEquals(true, taxonomy.revealedBy(key) != null, key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD835\uDC1B\uD835\uDC25\uD835\uDC28\uD835\uDC28\uD835\uDC1D_type", "\u24D1\u24DB\u24DE\u24DE\u24D3 type",
            "bl\u00F3od-t\u00FFpe", "bl\u043E\u043Ed_type", "\uFB01ngerprint", "r\u0435ligion", "\uD83C\uDD51lood_type",
            "\uD83C\uDD73\uD83C\uDD7D\uD83C\uDD70", "diagno\u0455is"})
    void findsKeywordsWrittenInLookAlikeLetters(String key) {
        assertEquals(true, taxonomy.revealedBy(key) != null, key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"信用记录", "\u00E9pargne", "r\u00E9gularit\u00E9", "\uD835\uDC1B\uD835\uDC25\uD835\uDC28\uD835\uDC28\uD835\uDC1D", "caf\u00E9"})
    void leavesOrdinaryNonAsciiKeysAlone(String key) {
        assertNull(taxonomy.revealedBy(key));
    }

    @Test
    void aRememberedVerdictIsNeverGivenToAnotherTextWithTheSameHash() {
        String prohibited = "dnAa";
        String clean = "dnBB";
        assertEquals(prohibited.hashCode(), clean.hashCode());
        for (int i = 0; i < 3; i++) {
            assertEquals("GENETICS", taxonomy.revealedBy(prohibited));
            assertNull(taxonomy.revealedBy(clean));
            assertEquals("GENETICS", taxonomy.revealedBy(new String(prohibited.toCharArray())));
        }
    }

    @Test
    void longTextsAreScannedWhole() {
        String filler = "repayment behaviour over the last twelve months ".repeat(20);
        assertNull(taxonomy.revealedBy(filler));
        assertEquals("MEDICAL", taxonomy.revealedBy(filler + "diag-nosis"));
    }
}
