package cxg.gateway.subject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.subject.SubjectId.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubjectIdTest {

    @Test
    void acceptsPublishedResidentSampleWithXCheckCharacter() {
        SubjectId id = SubjectId.of(Kind.RESIDENT_ID, "11010519491231002X");
        assertEquals(Kind.RESIDENT_ID, id.kind());
        assertEquals("11010519491231002X", id.value());
    }

    @Test
    void acceptsResidentIdWithDigitCheckCharacter() {
        assertTrue(SubjectId.problem(Kind.RESIDENT_ID, "440524188001010014").isEmpty());
    }

    @Test
    void acceptsPublishedOrganisationSample() {
        assertTrue(SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y43").isEmpty());
        assertTrue(SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91110000600037341L").isEmpty());
    }

    @Test
    void rejectsResidentIdWithWrongCheckCharacter() {
        assertEquals("wrong check character", SubjectId.problem(Kind.RESIDENT_ID, "110105194912310021").orElseThrow());
        assertEquals("wrong check character", SubjectId.problem(Kind.RESIDENT_ID, "440524188001010015").orElseThrow());
    }

    @Test
    void rejectsXWhereTheCheckDigitIsANumber() {
        assertEquals("wrong check character", SubjectId.problem(Kind.RESIDENT_ID, "44052418800101001X").orElseThrow());
    }

    @Test
    void rejectsLowerCaseX() {
        assertTrue(SubjectId.problem(Kind.RESIDENT_ID, "11010519491231002x").orElseThrow().contains("upper case"));
    }

    @Test
    void rejectsOrganisationCodeWithWrongCheckCharacter() {
        assertEquals("wrong check character",
                SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y44").orElseThrow());
    }

    @Test
    void rejectsLettersNeverUsedInOrganisationCodes() {
        String problem = SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91350100O000100Y43").orElseThrow();
        assertTrue(problem.contains("character 9"), problem);
    }

    @Test
    void rejectsWrongLength() {
        assertEquals("must be 18 characters, got 17", SubjectId.problem(Kind.RESIDENT_ID, "11010519491231002").orElseThrow());
        assertEquals("must be 18 characters, got 19",
                SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y430").orElseThrow());
        assertEquals("is required", SubjectId.problem(Kind.RESIDENT_ID, "").orElseThrow());
    }

    @Test
    void rejectsFullWidthDigitsWithAClearMessage() {
        String fullWidth = "\uFF11\uFF11\uFF10\uFF11\uFF10\uFF15\uFF11\uFF19\uFF14\uFF19\uFF11\uFF12\uFF13\uFF11\uFF10\uFF10\uFF12X";
        String problem = SubjectId.problem(Kind.RESIDENT_ID, fullWidth).orElseThrow();
        assertTrue(problem.contains("full-width"), problem);
    }

    @Test
    void rejectsImpossibleBirthDate() {
        // 1949-02-30 does not exist; the check character is right for these digits
        String problem = SubjectId.problem(Kind.RESIDENT_ID, "110105194902300020").orElseThrow();
        assertTrue(problem.contains("birth date"), problem);
    }

    @Test
    void acceptsExactlyTheBirthDatesTheCalendarHas() {
        String[] dates = {"20000229", "19000229", "20240229", "20230229", "19491231", "19490431", "19490430", "19490001",
                "19491301", "19490100", "19490132", "00010101", "99991231", "19491200"};
        for (String date : dates) {
            String id = withCheckCharacter("110105" + date + "002");
            boolean real;
            try {
                java.time.LocalDate.of(Integer.parseInt(date.substring(0, 4)), Integer.parseInt(date.substring(4, 6)),
                        Integer.parseInt(date.substring(6, 8)));
                real = true;
            } catch (java.time.DateTimeException e) {
                real = false;
            }
            Optional<String> problem = SubjectId.problem(Kind.RESIDENT_ID, id);
            assertEquals(real, problem.isEmpty(), date + ": " + problem);
            assertEquals(real, SubjectId.valid(Kind.RESIDENT_ID, id).isPresent(), date);
            problem.ifPresent(p -> assertTrue(p.contains("birth date"), p));
        }
    }

    /** The 18th character of a resident identity number (ISO 7064 MOD 11-2), for test identifiers. */
    private static String withCheckCharacter(String first17) {
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * weights[i];
        }
        return first17 + "10X98765432".charAt(sum % 11);
    }

    @Test
    void rejectsOrganisationCodeGivenAsResidentId() {
        String problem = SubjectId.problem(Kind.RESIDENT_ID, "91350100M000100Y43").orElseThrow();
        assertTrue(problem.contains("RESIDENT_ID"), problem);
    }

    @Test
    void rejectsResidentIdGivenAsOrganisationCode() {
        assertFalse(SubjectId.problem(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "11010519491231002X").isEmpty());
    }

    @Test
    void factoryThrowsWithTheProblemButNeverTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SubjectId.of(Kind.RESIDENT_ID, "110105194912310021"));
        assertFalse(e.getMessage().contains("110105194912310021"));
    }

    @Test
    void masksAllButFirstAndLastFourCharacters() {
        assertEquals("1101**********002X", SubjectId.of(Kind.RESIDENT_ID, "11010519491231002X").masked());
    }

    @Test
    void toStringNeverShowsTheRawValue() {
        SubjectId id = SubjectId.of(Kind.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y43");
        assertFalse(id.toString().contains("91350100M000100Y43"));
        assertTrue(id.toString().contains("9135**********0Y43"));
    }
}
