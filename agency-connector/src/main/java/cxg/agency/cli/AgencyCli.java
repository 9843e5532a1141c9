package cxg.agency.cli;

import java.io.PrintWriter;
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
        description = "Query partner scores through the cxg gateway as an agency.")
public final class AgencyCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        QuietLogging.install();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err, System.getenv());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the command line with the given streams and environment and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        CommandLine cli = new CommandLine(new AgencyCli())
                .addSubcommand("query", new QueryCommand(env))
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

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: query");
    }

    static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
