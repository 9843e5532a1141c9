package cxg.scorer.identity;

/** The one way a subject identifier may appear in logs: first 4 and last 4 characters. */
public final class Masking {

    private Masking() {
    }

    public static String mask(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            return "<none>";
        }
        if (identifier.length() <= 8) {
            return "*".repeat(identifier.length());
        }
        int hidden = identifier.length() - 8;
        return identifier.substring(0, 4) + "*".repeat(hidden) + identifier.substring(identifier.length() - 4);
    }
}
