package cxg.gateway.testing;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every benchmark harness of the gateway takes ({@code AuditBenchmark}, {@code TokenCheckCost}), as a
 * picocli mixin like the gateway's own command lines: {@code --out DIR} (required) and {@code --quick}. A mistake is a
 * {@link CommandLine.ParameterException} naming the argument; the harness prints it on one line and exits 2.
 */
public final class BenchArgs {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the results are written")
    private Path out;

    @Option(names = "--quick", description = "seconds-long runs: a smoke test, not a measurement")
    private boolean quick;

    /** {@code options} (this class, or a harness's options holding it as a {@code @Mixin}) filled from {@code args}. */
    public static <T> T parse(T options, String[] args) {
        new CommandLine(options).parseArgs(args);
        return options;
    }

    public Path out() {
        return out;
    }

    public boolean quick() {
        return quick;
    }
}
