package cxg.scorer.submit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cxg scorer …}: the private scorer connector's command line. Plain Java (no Quarkus
 * boot); the launcher puts the module's fast-jar libraries on the classpath.
 */
@Command(name = "cxg scorer", mixinStandardHelpOptions = true,
        description = "Submit a platform's ratings and records to the cxg gateway.")
public final class ScorerCli implements Runnable {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Map<String, String> settings = new HashMap<>(System.getenv());
        for (String property : new String[] {"cxg.pki.dir", "cxg.gateway.address", "cxg.keycloak.url", "cxg.keycloak.client-secret"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                settings.put(property, value);
            }
        }
        int code = run(args, out, err, settings);
        out.flush();
        err.flush();
        System.exit(code);
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> settings) {
        return new CommandLine(new ScorerCli())
                .addSubcommand("submit", new SubmitCommand(settings))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, a) -> {
                    e.getCommandLine().getErr().println("cxg: " + e.getMessage().replaceAll("\\s+", " ")
                            + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
                    return ExitCodes.USAGE;
                })
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println("cxg: " + (e instanceof java.io.IOException
                            ? "cannot read or write a file (" + e.getClass().getSimpleName() + ")"
                            : "internal error (" + e.getClass().getSimpleName() + ")"));
                    return ExitCodes.OTHER;
                })
                .execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing subcommand: submit");
    }

    static Path pkiDir(Map<String, String> settings) {
        String dir = settings.get("cxg.pki.dir");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String home = settings.get("CXG_HOME");
        return (home == null || home.isBlank() ? Path.of(".cxg") : Path.of(home)).resolve("pki");
    }

    static String gatewayAddress(Map<String, String> settings) {
        String address = settings.getOrDefault("cxg.gateway.address", settings.get("CXG_GATEWAY_ADDRESS"));
        return address == null || address.isBlank() ? "127.0.0.1:7443" : address;
    }
}
