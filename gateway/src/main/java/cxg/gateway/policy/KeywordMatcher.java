package cxg.gateway.policy;

import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds prohibited-category keywords inside keys, ignoring case and every character that is
 * not a letter or digit ({@code Blood-Type}, {@code bloodType}, {@code BLOOD_TYPE} and
 * {@code blood type} all contain {@code blood_type}). An Aho-Corasick automaton over the
 * folded alphabet, so that a key is scanned once, without allocation, whatever the number
 * of keywords: the filter runs on every factor code, description and attribute key of every
 * answer, which makes this loop the bulk of the filter's cost.
 *
 * <p>The automaton is compiled into one table indexed directly by ASCII character (case and
 * separators folded in, separators loop back to the same state), so that an ASCII character
 * costs one table load and one sign test. Only states that have not yet matched get rows:
 * an entry is the next state's row offset, or {@code ~category} when a keyword ends there.
 * Other characters step through the letters they read as (see {@link Fold}): look-alike
 * spellings ({@code ｂｌｏｏｄ}, {@code 𝐛𝐥𝐨𝐨𝐝}, {@code ⓑⓛⓞⓞⓓ}, {@code blóod}, Cyrillic
 * {@code о}) match like plain ones.
 */
final class KeywordMatcher {
    private static final int ALPHABET = 36;
    private static final int ROW = 128;
    private static final int SLOTS = 4096;
    private static final int MAX_REMEMBERED = 256;

    /** Folded ASCII: a-z, A-Z to 0..25, 0-9 to 26..35, everything else -1. */
    private static final byte[] ASCII = new byte[ROW];

    static {
        java.util.Arrays.fill(ASCII, (byte) -1);
        for (char c = 'a'; c <= 'z'; c++) {
            ASCII[c] = (byte) (c - 'a');
            ASCII[Character.toUpperCase(c)] = (byte) (c - 'a');
        }
        for (char c = '0'; c <= '9'; c++) {
            ASCII[c] = (byte) (26 + c - '0');
        }
    }

    /** By ASCII character: ascii[row + ch] = next row offset (state * ROW), or ~category index on a match. */
    private final int[] ascii;
    /** The same by folded symbol for other characters: folded[state * ALPHABET + symbol]. */
    private final int[] folded;
    private final String[] categories;
    /**
     * Recent verdicts by text, direct-mapped by hash: platforms answer with the same factor
     * codes, descriptions and attribute keys again and again. A slot is confirmed by comparing
     * the whole text (never by hash alone, which a scorer could collide on purpose); racing
     * writers just overwrite each other with equally correct verdicts of immutable entries.
     * Bounded: SLOTS texts of at most MAX_REMEMBERED characters per policy set.
     */
    private final Verdict[] verdicts = new Verdict[SLOTS];

    private record Verdict(String text, String category) {
    }

    private KeywordMatcher(int[][] next, String[] category) {
        List<String> names = new ArrayList<>();
        int[] row = new int[next.length];
        int rows = 0;
        for (int s = 0; s < next.length; s++) {
            if (category[s] == null) {
                row[s] = rows++;
            } else {
                row[s] = -1;
                if (!names.contains(category[s])) {
                    names.add(category[s]);
                }
            }
        }
        this.categories = names.toArray(new String[0]);
        this.ascii = new int[rows * ROW];
        this.folded = new int[rows * ALPHABET];
        for (int s = 0; s < next.length; s++) {
            if (row[s] < 0) {
                continue;
            }
            for (int c = 0; c < ALPHABET; c++) {
                int t = next[s][c];
                folded[row[s] * ALPHABET + c] = row[t] < 0 ? ~names.indexOf(category[t]) : row[t] * ROW;
            }
            for (int ch = 0; ch < ROW; ch++) {
                int c = ASCII[ch];
                ascii[row[s] * ROW + ch] = c < 0 ? row[s] * ROW : folded[row[s] * ALPHABET + c];
            }
        }
    }

    /** Keywords by category id; categories' own ids count as keywords too. */
    static KeywordMatcher of(Map<String, List<String>> keywordsByCategory) {
        List<int[]> trie = new ArrayList<>();
        List<String> out = new ArrayList<>();
        trie.add(newRow());
        out.add(null);
        for (Map.Entry<String, List<String>> e : keywordsByCategory.entrySet()) {
            List<String> words = new ArrayList<>(e.getValue());
            words.add(e.getKey());
            for (String word : words) {
                int state = 0;
                boolean any = false;
                for (int i = 0; i < word.length(); i++) {
                    int c = fold(word.charAt(i));
                    if (c < 0) {
                        continue;
                    }
                    any = true;
                    if (trie.get(state)[c] < 0) {
                        trie.get(state)[c] = trie.size();
                        trie.add(newRow());
                        out.add(null);
                    }
                    state = trie.get(state)[c];
                }
                if (any && out.get(state) == null) {
                    out.set(state, e.getKey());
                }
            }
        }
        int n = trie.size();
        int[][] next = trie.toArray(new int[0][]);
        String[] category = out.toArray(new String[0]);
        int[] fail = new int[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < ALPHABET; c++) {
            if (next[0][c] < 0) {
                next[0][c] = 0;
            } else {
                fail[next[0][c]] = 0;
                queue.add(next[0][c]);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            if (category[s] == null) {
                category[s] = category[fail[s]];
            }
            for (int c = 0; c < ALPHABET; c++) {
                int t = next[s][c];
                if (t < 0) {
                    next[s][c] = next[fail[s]][c];
                } else {
                    fail[t] = next[fail[s]][c];
                    queue.add(t);
                }
            }
        }
        return new KeywordMatcher(next, category);
    }

    /** The prohibited category a keyword inside {@code text} reveals, or null. */
    String match(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() > MAX_REMEMBERED) {
            return scan(text);
        }
        int h = text.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Verdict v = verdicts[slot];
        if (v != null && v.text.equals(text)) {
            return v.category;
        }
        String category = scan(text);
        verdicts[slot] = new Verdict(text, category);
        return category;
    }

    private String scan(String text) {
        int[] table = ascii;
        int state = 0;
        for (int i = 0, len = text.length(); i < len; i++) {
            char ch = text.charAt(i);
            if (ch < ROW) {
                int t = table[state + ch];
                if (t < 0) {
                    return categories[~t];
                }
                state = t;
                continue;
            }
            String symbols;
            if (Character.isHighSurrogate(ch) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                symbols = Fold.symbols(Character.toCodePoint(ch, text.charAt(++i)));
            } else {
                symbols = Fold.symbols(ch);
            }
            for (int k = 0; k < symbols.length(); k++) {
                int t = folded[state / ROW * ALPHABET + symbols.charAt(k)];
                if (t < 0) {
                    return categories[~t];
                }
                state = t;
            }
        }
        return null;
    }

    /** Keyword characters: a-z and 0-9 to 0..35 regardless of case, every other character -1 (a separator). */
    private static int fold(char ch) {
        return ch < ROW ? ASCII[ch] : -1;
    }

    private static int[] newRow() {
        int[] row = new int[ALPHABET];
        Arrays.fill(row, -1);
        return row;
    }

    /**
     * What a non-ASCII character reads as, as a string of folded symbols (each char 0..35; empty
     * for a separator). A scorer must not get {@code blood_type} past the filter by writing it
     * in look-alike letters, so a character counts as the ASCII letters and digits of its
     * compatibility decomposition (NFKD: full-width, mathematical, circled and accented letters,
     * ligatures such as ﬁ, superscript digits), of its case mapping (Kelvin sign, dotless ı), or
     * of the Latin letter it is a common look-alike of (Cyrillic and Greek homoglyphs, negative
     * circled and squared letters, regional indicators). Computed once for the Basic
     * Multilingual Plane; other planes (mostly mathematical letters) on demand.
     */
    private static final class Fold {
        private static final String NONE = "";
        /** Declared before the table: computing it reads these. */
        private static final int[] ENCLOSED_LETTER_BASES = {0x1F150, 0x1F170, 0x1F1E6};
        private static final String[] BMP = new String[0x10000];
        /** Pairs of a Cyrillic, Greek or Armenian letter and the Latin letter it renders like (Unicode confusables). */
        private static final String HOMOGLYPHS = "АaаaВbвbСcсcԁdЕeеeНhнhһhІiіiЈjјjКkкkӀlӏlМmмmОoоoРpрpԛqЅsѕsТtтtУyуyХxхxѵvԝw"
                + "ΑaαaΒbβbΕeεeΖzΗhΙiιiΚkκkΜmΝnνvΟoοoΡpρpΤtτtΥyυuΧxχxսuօo";

        static {
            for (int c = ROW; c < 0x10000; c++) {
                if (!Character.isSurrogate((char) c)) {
                    BMP[c] = compute(c);
                }
            }
        }

        static String symbols(char ch) {
            String s = BMP[ch];
            return s == null ? NONE : s;
        }

        /** A code point outside the Basic Multilingual Plane (a surrogate pair). */
        static String symbols(int codePoint) {
            return compute(codePoint);
        }

        private static String compute(int cp) {
            int letter = enclosedLetter(cp);
            if (letter >= 0) {
                return String.valueOf((char) letter);
            }
            StringBuilder out = new StringBuilder(2);
            String decomposed = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
            for (int i = 0; i < decomposed.length(); ) {
                int d = decomposed.codePointAt(i);
                i += Character.charCount(d);
                int s = single(d);
                if (s >= 0) {
                    out.append((char) s);
                }
            }
            return out.length() == 0 ? NONE : out.toString();
        }

        /** One decomposed code point: ASCII, its case mapping's ASCII, or a homoglyph; -1 otherwise. */
        private static int single(int d) {
            if (d < ROW) {
                return ASCII[d];
            }
            int lower = Character.toLowerCase(d);
            if (lower < ROW) {
                return ASCII[lower];
            }
            int upper = Character.toUpperCase(d);
            if (upper < ROW) {
                return ASCII[upper];
            }
            for (int h = 0; d < 0x10000 && h < HOMOGLYPHS.length(); h += 2) {
                if (HOMOGLYPHS.charAt(h) == d) {
                    return ASCII[HOMOGLYPHS.charAt(h + 1)];
                }
            }
            return -1;
        }

        /** Enclosed letters without a compatibility decomposition: 🅐 negative circled, 🅰 negative squared, 🇦 regional indicators. */
        private static int enclosedLetter(int cp) {
            for (int base : ENCLOSED_LETTER_BASES) {
                if (cp >= base && cp < base + 26) {
                    return cp - base;
                }
            }
            return -1;
        }
    }
}
