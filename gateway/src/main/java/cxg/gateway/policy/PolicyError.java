package cxg.gateway.policy;

/** One problem found in a policy set, printed as {@code file:line: message} (line 0 = whole file). */
public record PolicyError(String file, int line, String message) implements Comparable<PolicyError> {

    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }

    @Override
    public int compareTo(PolicyError o) {
        int c = file.compareTo(o.file);
        return c != 0 ? c : Integer.compare(line, o.line);
    }
}
