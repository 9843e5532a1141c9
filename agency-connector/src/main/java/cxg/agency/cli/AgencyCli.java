package cxg.agency.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cxg agency …}: the agency connector's command line. Runs as plain Java (no Quarkus
 * boot) so that it starts fast; the launcher puts the module's fast-jar libraries on the classpath.
 */
@Command(name = "cxg agency", mixinStandardHelpOptions = true,
        description = "Query partner scores and check restrictions through the cxg gateway as an agency.")
public final class AgencyCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        QuietLogging.install();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err, settings());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the command line and returns its exit code. {@code settings} holds the environment
     * ({@code CXG_HOME}, {@code CXG_GATEWAY_ADDRESS}) and the system properties {@code cxg.pki.dir}
     * and {@code cxg.gateway.address}, which take precedence (the launcher passes them).
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> settings) {
        CommandLine cli = new CommandLine(new AgencyCli())
                .addSubcommand("query", new QueryCommand(settings))
                .addSubcommand("check", new CheckCommand(settings))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, a) -> {
                    String command = e.getCommandLine().getCommandSpec().qualifiedName();
                    e.getCommandLine().getErr().println("cxg: " + oneLine(e.getMessage())
                            + " (see '" + command + " --help')");
                    return ExitCodes.USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    // Only a bug gets here: say so in one line instead of a stack trace.
                    commandLine.getErr().println("cxg: internal error (" + e.getClass().getSimpleName() + ")");
                    return ExitCodes.OTHER;
                });
        return cli.execute(args);
    }

    private static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>(System.getenv());
        for (String property : new String[] {"cxg.pki.dir", "cxg.gateway.address"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                settings.put(property, value);
            }
        }
        return settings;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: query or check");
    }

    static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
