package cxg.gateway.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministic JSON: object keys sorted, no whitespace, null members left out, only the escapes
 * JSON requires. The same value always gives the same bytes, so an entry's hash is stable.
 * Values: Map, Collection, String, Number (integers), Boolean, null. Also a strict reader.
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, x) -> {
                if (x != null) {
                    sorted.put((String) k, x);
                }
            });
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object x : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, x);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as canonical JSON");
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Writes canonical JSON straight to UTF-8, for a caller that knows its object's keys and emits its members in
     * sorted key order, leaving out null members itself: the same bytes as {@link #write} of the equivalent map
     * followed by {@code getBytes(UTF_8)}, without building the map, sorting its keys and copying the text twice.
     * Keys come pre-encoded ({@link #key(String)}); one writer per thread is reused ({@link #reset()}).
     */
    static final class Utf8Writer {
        private byte[] buf = new byte[768];
        private int n;
        /** A value was just completed at this nesting level, so the next member or element needs a comma. */
        private boolean comma;

        /** A member's key as written, quoted and followed by its colon; only for keys that need no escape. */
        static byte[] key(String key) {
            for (int i = 0; i < key.length(); i++) {
                if (!plain(key.charAt(i))) {
                    throw new IllegalArgumentException("key needs escaping: " + key);
                }
            }
            return ("\"" + key + "\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        Utf8Writer reset() {
            n = 0;
            comma = false;
            return this;
        }

        Utf8Writer beginObject() {
            separate();
            put((byte) '{');
            comma = false;
            return this;
        }

        Utf8Writer endObject() {
            put((byte) '}');
            comma = true;
            return this;
        }

        Utf8Writer beginArray() {
            separate();
            put((byte) '[');
            comma = false;
            return this;
        }

        Utf8Writer endArray() {
            put((byte) ']');
            comma = true;
            return this;
        }

        /** A member's pre-encoded key ({@link #key(String)}); the caller writes its value next. */
        Utf8Writer key(byte[] key) {
            separate();
            ensure(key.length);
            System.arraycopy(key, 0, buf, n, key.length);
            n += key.length;
            comma = false;
            return this;
        }

        /** A string member, left out when null. */
        Utf8Writer member(byte[] key, String value) {
            return value == null ? this : key(key).string(value);
        }

        Utf8Writer member(byte[] key, long value) {
            return key(key).number(value);
        }

        /** An array of strings. */
        Utf8Writer member(byte[] key, java.util.List<String> values) {
            key(key).beginArray();
            for (int i = 0, size = values.size(); i < size; i++) {
                string(values.get(i));
            }
            return endArray();
        }

        Utf8Writer number(long value) {
            separate();
            if (value >= 0 && value < 10) {
                put((byte) ('0' + value));
            } else {
                ascii(Long.toString(value));
            }
            comma = true;
            return this;
        }

        /**
         * An instant as {@link java.time.Instant#toString()} writes it (ISO-8601 in UTC, seconds always, the fraction
         * in groups of three digits as needed), without its formatter: digits straight into the buffer for the years
         * 0000 to 9999, {@code toString()} for any other.
         */
        Utf8Writer instant(java.time.Instant t) {
            long seconds = t.getEpochSecond();
            if (seconds < YEAR_0000 || seconds > YEAR_9999_END) {
                return string(t.toString());
            }
            separate();
            long days = Math.floorDiv(seconds, 86_400L);
            int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
            java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
            ensure(32);
            byte[] b = buf;
            int p = n;
            b[p++] = '"';
            p = digits(b, p, date.getYear(), 4);
            b[p++] = '-';
            p = digits(b, p, date.getMonthValue(), 2);
            b[p++] = '-';
            p = digits(b, p, date.getDayOfMonth(), 2);
            b[p++] = 'T';
            p = digits(b, p, secondOfDay / 3600, 2);
            b[p++] = ':';
            p = digits(b, p, secondOfDay / 60 % 60, 2);
            b[p++] = ':';
            p = digits(b, p, secondOfDay % 60, 2);
            int nano = t.getNano();
            if (nano > 0) {
                b[p++] = '.';
                if (nano % 1_000_000 == 0) {
                    p = digits(b, p, nano / 1_000_000, 3);
                } else if (nano % 1000 == 0) {
                    p = digits(b, p, nano / 1000, 6);
                } else {
                    p = digits(b, p, nano, 9);
                }
            }
            b[p++] = 'Z';
            b[p++] = '"';
            n = p;
            comma = true;
            return this;
        }

        /** -0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in epoch seconds. */
        private static final long YEAR_0000 = -62_167_219_200L;
        private static final long YEAR_9999_END = 253_402_300_799L;

        private static int digits(byte[] b, int p, int value, int width) {
            for (int i = p + width - 1; i >= p; i--) {
                b[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            return p + width;
        }

        /** A string value (null as JSON null, as {@link #write} writes a null inside a list). */
        Utf8Writer string(String s) {
            separate();
            if (s == null) {
                ascii("null");
                comma = true;
                return this;
            }
            int length = s.length();
            ensure(length * 6 + 2);
            byte[] b = buf;
            int p = n;
            b[p++] = '"';
            int i = 0;
            // the usual case: printable ASCII that needs no escape, one byte per char
            for (char c; i < length && plain(c = s.charAt(i)); i++) {
                b[p++] = (byte) c;
            }
            n = p;
            if (i < length) {
                rest(s, i);
            }
            buf[n++] = '"';
            comma = true;
            return this;
        }

        /** Printable ASCII that JSON needs no escape for: written as its one byte. */
        private static boolean plain(char c) {
            return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
        }

        /** The rest of a string from the first char that needs escaping or more than one byte (room is ensured). */
        private void rest(String s, int from) {
            for (int i = from; i < s.length(); i++) {
                char c = s.charAt(i);
                if (plain(c)) {
                    buf[n++] = (byte) c;
                } else if (c < 0x80) {
                    escape(c);
                } else if (c < 0x800) {
                    buf[n++] = (byte) (0xC0 | c >> 6);
                    buf[n++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    buf[n++] = (byte) (0xF0 | cp >> 18);
                    buf[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                    buf[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                    buf[n++] = (byte) (0x80 | cp & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    // what String.getBytes(UTF_8) writes for an unpaired surrogate
                    buf[n++] = '?';
                } else {
                    buf[n++] = (byte) (0xE0 | c >> 12);
                    buf[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                    buf[n++] = (byte) (0x80 | c & 0x3F);
                }
            }
        }

        byte[] toBytes() {
            return java.util.Arrays.copyOf(buf, n);
        }

        private void escape(char c) {
            switch (c) {
                case '"' -> ascii("\\\"");
                case '\\' -> ascii("\\\\");
                case '\n' -> ascii("\\n");
                case '\r' -> ascii("\\r");
                case '\t' -> ascii("\\t");
                default -> ascii(String.format("\\u%04x", (int) c));
            }
        }

        private void separate() {
            if (comma) {
                put((byte) ',');
            }
        }

        private void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[n++] = (byte) s.charAt(i);
            }
        }

        private void put(byte b) {
            ensure(1);
            buf[n++] = b;
        }

        private void ensure(int more) {
            if (n + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }
    }

    /** Reads JSON written by {@link #write} (or any JSON without fractions). */
    public static Object read(String text) {
        Reader r = new Reader(text);
        r.ws();
        Object v = r.value();
        r.ws();
        if (r.p != text.length()) {
            throw r.error("trailing characters");
        }
        return v;
    }

    private static final class Reader {
        private final String s;
        private int p;

        Reader(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at " + p + ": " + what);
        }

        void ws() {
            while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
                p++;
            }
        }

        Object value() {
            if (p >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(p);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                p++;
                ws();
                if (peek('}')) {
                    return m;
                }
                do {
                    ws();
                    String k = (String) value();
                    ws();
                    expect(':');
                    ws();
                    m.put(k, value());
                    ws();
                } while (peek(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                List<Object> a = new ArrayList<>();
                p++;
                ws();
                if (peek(']')) {
                    return a;
                }
                do {
                    ws();
                    a.add(value());
                    ws();
                } while (peek(','));
                expect(']');
                return a;
            }
            if (c == '"') {
                return str();
            }
            for (String lit : new String[] {"true", "false", "null"}) {
                if (s.startsWith(lit, p)) {
                    p += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            }
            int start = p;
            if (c == '-') {
                p++;
            }
            while (p < s.length() && Character.isDigit(s.charAt(p))) {
                p++;
            }
            if (start == p) {
                throw error("unexpected character");
            }
            return Long.parseLong(s.substring(start, p));
        }

        boolean peek(char c) {
            if (p < s.length() && s.charAt(p) == c) {
                p++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        String str() {
            p++;
            StringBuilder b = new StringBuilder();
            while (p < s.length()) {
                char c = s.charAt(p++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        p += 4;
                    }
                    default -> b.append(e);
                }
            }
            throw error("unterminated string");
        }
    }
}
