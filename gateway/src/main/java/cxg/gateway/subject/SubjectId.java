package cxg.gateway.subject;

import java.time.Month;
import java.time.Year;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated subject identifier: a resident identity number (GB 11643, check character
 * ISO 7064 MOD 11-2) or a unified social credit code (GB 32100-2015, check character mod 31).
 * Only upper-case ASCII is accepted ('x' is not an 'X'): identifiers are compared and hashed
 * as given, so one subject must have exactly one spelling. {@link #toString()} never shows
 * the raw value; use {@link #masked()} wherever a person needs to recognise it.
 */
public final class SubjectId {

    public enum Kind { RESIDENT_ID, UNIFIED_SOCIAL_CREDIT_CODE }

    public static final int LENGTH = 18;

    private static final int[] RESIDENT_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String RESIDENT_CHECK = "10X98765432";
    private static final String USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static final int[] USCC_WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

    private final Kind kind;
    private final String value;

    private SubjectId(Kind kind, String value) {
        this.kind = kind;
        this.value = value;
    }

    /** @throws IllegalArgumentException with a message naming the problem (never the value) */
    public static SubjectId of(Kind kind, String value) {
        Optional<String> problem = problem(kind, value);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new SubjectId(kind, value);
    }

    /** The identifier if it is valid, else empty ({@link #problem} says why): one validation, for the query path. */
    public static Optional<SubjectId> valid(Kind kind, String value) {
        return problem(kind, value).isPresent() ? Optional.empty() : Optional.of(new SubjectId(kind, value));
    }

    /**
     * What is wrong with this identifier, as a message a caller can act on, or empty if it is
     * valid. The message never repeats the value.
     */
    public static Optional<String> problem(Kind kind, String value) {
        Objects.requireNonNull(kind, "kind");
        if (value == null || value.isEmpty()) {
            return Optional.of("is required");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '\uFF01' && c <= '\uFF5E') {
                return Optional.of("contains full-width characters; use ASCII digits and letters");
            }
        }
        int length = value.codePointCount(0, value.length());
        if (length != LENGTH) {
            return Optional.of("must be " + LENGTH + " characters, got " + length);
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = value.charAt(i);
            if (c >= 'a' && c <= 'z') {
                return Optional.of("must be upper case (character " + (i + 1) + ")");
            }
        }
        return kind == Kind.RESIDENT_ID ? residentProblem(value) : usccProblem(value);
    }

    private static Optional<String> residentProblem(String value) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.of("a RESIDENT_ID has digits in its first 17 characters (character " + (i + 1)
                        + " is not a digit)");
            }
            sum += (c - '0') * RESIDENT_WEIGHTS[i];
        }
        char check = value.charAt(17);
        if (!(check >= '0' && check <= '9') && check != 'X') {
            return Optional.of("the check character of a RESIDENT_ID is a digit or X");
        }
        // the first 17 characters are digits: read the date from them as LocalDate.of would judge it
        int year = digits(value, 6, 10);
        int month = digits(value, 10, 12);
        int day = digits(value, 12, 14);
        if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
            return Optional.of("the birth date (characters 7-14) is not a real date");
        }
        if (RESIDENT_CHECK.charAt(sum % 11) != check) {
            return Optional.of("wrong check character");
        }
        return Optional.empty();
    }

    private static int digits(String value, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (value.charAt(i) - '0');
        }
        return n;
    }

    private static Optional<String> usccProblem(String value) {
        int sum = 0;
        for (int i = 0; i < LENGTH; i++) {
            char c = value.charAt(i);
            int code = USCC_ALPHABET.indexOf(c);
            if (code < 0) {
                return Optional.of("character " + (i + 1) + " is not allowed in a UNIFIED_SOCIAL_CREDIT_CODE"
                        + " (digits and upper-case letters except I, O, Z, S, V)");
            }
            if (i < 17) {
                sum += code * USCC_WEIGHTS[i];
            }
        }
        int expected = (31 - sum % 31) % 31;
        if (USCC_ALPHABET.charAt(expected) != value.charAt(17)) {
            return Optional.of("wrong check character");
        }
        return Optional.empty();
    }

    public Kind kind() {
        return kind;
    }

    /** The raw identifier: for the wire to a scorer only; never for logs, metrics or audit. */
    public String value() {
        return value;
    }

    /** First 4 and last 4 characters, the rest starred, e.g. {@code 1101**********002X}. */
    public String masked() {
        return value.substring(0, 4) + "*".repeat(LENGTH - 8) + value.substring(LENGTH - 4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubjectId s && s.kind == kind && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + value.hashCode();
    }

    @Override
    public String toString() {
        return "SubjectId[" + kind + " " + masked() + "]";
    }
}
