package cxg.scorer.demo;

/** Check characters of the two subject identifier kinds, to keep the demo data honest. */
final class CheckCharacters {

    private static final int[] RESIDENT_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String RESIDENT_CHECK = "10X98765432";
    private static final String USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static final int[] USCC_WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

    private CheckCharacters() {
    }

    /** ISO 7064 MOD 11-2 over the first 17 digits of a resident identity number. */
    static boolean validResidentId(String id) {
        if (id.length() != 18 || !id.substring(0, 17).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * RESIDENT_WEIGHTS[i];
        }
        return id.charAt(17) == RESIDENT_CHECK.charAt(sum % 11);
    }

    /** GB 32100-2015: mod 31 over the code's own alphabet. */
    static boolean validUnifiedSocialCreditCode(String code) {
        if (code.length() != 18) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            int value = USCC_ALPHABET.indexOf(code.charAt(i));
            if (value < 0) {
                return false;
            }
            sum += value * USCC_WEIGHTS[i];
        }
        int check = (31 - sum % 31) % 31;
        return code.charAt(17) == USCC_ALPHABET.charAt(check);
    }
}
