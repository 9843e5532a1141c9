package cxg.bench.report;

import cxg.bench.load.BenchInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A gateway variant for a same-run A/B ({@code --variant "name=-Dkey=value ..."}): one more gateway (1 platform) started
 * with the gateway's JVM options and then these, measured in the same interleaved rounds as "gateway, 1 platform", so
 * that a setting is judged against the plain gateway in the same minutes, not across runs whose spread is larger than
 * the effect.
 *
 * @param name        a short name ({@code [A-Za-z0-9._-]}, up to 24 characters): the path's label and its process's name
 * @param javaOptions JVM options and system properties, each starting with {@code -}, after the gateway's own (so they win)
 */
record Variant(String name, List<String> javaOptions) {

    static final String OPTION = "--variant";
    /** Each variant costs about 80 s of the report's time (warm-up, rounds at 1 and 64 outstanding, half load). */
    static final int MAX = 3;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,24}");

    Variant {
        javaOptions = List.copyOf(javaOptions);
    }

    /** The path's label in the report's tables. */
    String path() {
        return ReportRunner.GW1 + ", variant " + name;
    }

    /** The gateway process's name (CPU columns, log files). */
    String process() {
        return "gateway-1-" + name;
    }

    /** {@code name=-Dkey=value -Xoption ...}; a mistake is a {@link BenchInputException} naming the option. */
    static Variant parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        int eq = s.indexOf('=');
        if (eq < 0) {
            throw new BenchInputException(OPTION + ": expected NAME=JVM-OPTIONS (e.g. \"delay=-Dcxg.audit.commit-delay=0.5ms\"), not '" + s + "'");
        }
        String name = s.substring(0, eq).strip();
        if (!NAME.matcher(name).matches()) {
            throw new BenchInputException(OPTION + ": the name '" + name + "' must be 1-24 letters, digits, '.', '_' or '-'");
        }
        String rest = s.substring(eq + 1).strip();
        if (rest.isEmpty()) {
            throw new BenchInputException(OPTION + " " + name + ": no JVM options after '='");
        }
        List<String> options = new ArrayList<>();
        for (String o : rest.split("\\s+")) {
            if (!o.startsWith("-") || o.length() < 2) {
                throw new BenchInputException(OPTION + " " + name + ": '" + o + "' is not a JVM option (each starts with '-', e.g. -Dkey=value)");
            }
            if (o.equals("-jar") || o.equals("-cp") || o.equals("-classpath")) {
                throw new BenchInputException(OPTION + " " + name + ": '" + o + "' would change what runs; only JVM options and -D properties");
            }
            options.add(o);
        }
        return new Variant(name, options);
    }

    /** Every {@code --variant} given, parsed; names must differ and at most {@link #MAX}. */
    static List<Variant> parseAll(List<String> specs) {
        if (specs == null || specs.isEmpty()) {
            return List.of();
        }
        if (specs.size() > MAX) {
            throw new BenchInputException(OPTION + ": at most " + MAX + " variants per report (each adds ~80 s), not " + specs.size());
        }
        List<Variant> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String spec : specs) {
            Variant v = parse(spec);
            if (!names.add(v.name())) {
                throw new BenchInputException(OPTION + ": the name '" + v.name() + "' is given twice");
            }
            out.add(v);
        }
        return out;
    }
}
