package cxg.audit.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small strict JSON reader (objects, arrays, strings, integers, booleans, null) for export files. */
final class Json {

    private final String s;
    private int p;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json j = new Json(text);
        j.ws();
        Object v = j.value();
        j.ws();
        if (j.p != j.s.length()) {
            throw j.error("trailing characters");
        }
        return v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at character " + p + ": " + what);
    }

    private void ws() {
        while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
    }

    private Object value() {
        if (p >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(p);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, p)) {
            throw error("expected " + word);
        }
        p += word.length();
        return v;
    }

    private Object number() {
        int start = p;
        if (p < s.length() && s.charAt(p) == '-') {
            p++;
        }
        while (p < s.length() && Character.isDigit(s.charAt(p))) {
            p++;
        }
        if (start == p || (p < s.length() && ".eE".indexOf(s.charAt(p)) >= 0)) {
            throw error("expected an integer");
        }
        try {
            return Long.parseLong(s.substring(start, p));
        } catch (NumberFormatException e) {
            throw error("expected an integer of at most 19 digits");
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == '}') {
            p++;
            return m;
        }
        while (true) {
            ws();
            if (p >= s.length() || s.charAt(p) != '"') {
                throw error("expected a key");
            }
            String k = string();
            ws();
            expect(':');
            ws();
            m.put(k, value());
            ws();
            if (p < s.length() && s.charAt(p) == ',') {
                p++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == ']') {
            p++;
            return a;
        }
        while (true) {
            ws();
            a.add(value());
            ws();
            if (p < s.length() && s.charAt(p) == ',') {
                p++;
                continue;
            }
            expect(']');
            return a;
        }
    }

    private void expect(char c) {
        if (p >= s.length() || s.charAt(p) != c) {
            throw error("expected '" + c + "'");
        }
        p++;
    }

    private String string() {
        p++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (p >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(p++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (p >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(p++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case '/' -> b.append('/');
                case '\\' -> b.append('\\');
                case '"' -> b.append('"');
                case 'u' -> {
                    if (p + 4 > s.length()) {
                        throw error("short unicode escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                    p += 4;
                }
                default -> throw error("bad escape");
            }
        }
    }
}
