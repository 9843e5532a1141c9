package cxg.gateway.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of the gateway's benchmark harnesses ({@code AuditBenchmark}, {@code TokenCheckCost}):
 * {@code --out DIR} (required), {@code --quick}, and the harness's own options that take a value. A mistake is an
 * {@link IllegalArgumentException} naming the argument; the harness prints it on one line and exits 2.
 */
public final class BenchArgs {

    private final Path out;
    private final boolean quick;
    private final Map<String, String> values;

    private BenchArgs(Path out, boolean quick, Map<String, String> values) {
        this.out = out;
        this.quick = quick;
        this.values = values;
    }

    /** @param valued the harness's own options, each followed by a value */
    public static BenchArgs parse(String[] args, String... valued) {
        Path out = null;
        boolean quick = false;
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--out") || List.of(valued).contains(a)) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(a.equals("--out") ? "--out needs a directory" : a + " needs a value");
                }
                String value = args[++i];
                if (a.equals("--out")) {
                    out = Path.of(value);
                } else {
                    values.put(a, value);
                }
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        return new BenchArgs(out, quick, values);
    }

    public Path out() {
        return out;
    }

    public boolean quick() {
        return quick;
    }

    public Optional<String> value(String option) {
        return Optional.ofNullable(values.get(option));
    }
}
