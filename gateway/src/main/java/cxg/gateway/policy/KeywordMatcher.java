package cxg.gateway.policy;

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
 * of keywords: the filter runs on every factor of every answer.
 */
final class KeywordMatcher {
    private static final int ALPHABET = 36;

    /** Folded ASCII: a-z, A-Z to 0..25, 0-9 to 26..35, everything else -1. */
    private static final byte[] ASCII = new byte[128];

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

    /** Transitions, flat: next[state * ALPHABET + symbol]. */
    private final int[] next;
    /** For each state, the category of the keyword ending there (or via its suffix link), else null. */
    private final String[] category;

    private KeywordMatcher(int[][] next, String[] category) {
        this.next = new int[next.length * ALPHABET];
        for (int s = 0; s < next.length; s++) {
            System.arraycopy(next[s], 0, this.next, s * ALPHABET, ALPHABET);
        }
        this.category = category;
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
        int state = 0;
        for (int i = 0, len = text.length(); i < len; i++) {
            char ch = text.charAt(i);
            int c = ch < 128 ? ASCII[ch] : fold(ch);
            if (c < 0) {
                continue;
            }
            state = next[state * ALPHABET + c];
            if (category[state] != null) {
                return category[state];
            }
        }
        return null;
    }

    /** a-z and 0-9 to 0..35 regardless of case; every other character is a separator (-1). */
    private static int fold(char ch) {
        if (ch >= 'a' && ch <= 'z') {
            return ch - 'a';
        }
        if (ch >= 'A' && ch <= 'Z') {
            return ch - 'A';
        }
        if (ch >= '0' && ch <= '9') {
            return 26 + ch - '0';
        }
        if (ch >= '\uFF01' && ch <= '\uFF5E') {
            // full-width forms (ｂｌｏｏｄ) fold to their ASCII twins
            return fold((char) (ch - 0xFEE0));
        }
        return -1;
    }

    private static int[] newRow() {
        int[] row = new int[ALPHABET];
        Arrays.fill(row, -1);
        return row;
    }
}
