package cxg.pki;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cxg pki init|issue|revoke}. Exit codes: 0 ok, 2 invalid input or usage, 1 anything else.
 * Prints one line per file created or kept.
 */
@Command(name = "cxg pki", mixinStandardHelpOptions = true,
        description = "Manage the dev PKI (member CA, member certificates, CRL).",
        subcommands = {PkiCli.Init.class, PkiCli.Issue.class, PkiCli.Revoke.class})
public final class PkiCli implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new PkiCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("cxg pki: " + ex.getMessage() + " (see: cxg pki --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof PkiException) {
                err.println("cxg pki: " + ex.getMessage());
                return USAGE;
            }
            err.println("cxg pki: " + ex.getMessage() + (ex.getCause() == null ? ""
                    : " (" + ex.getCause().getClass().getSimpleName() + ")"));
            return FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("cxg pki: missing subcommand: init, issue or revoke (see: cxg pki --help)");
        return USAGE;
    }

    static Path defaultDir() {
        String home = System.getenv("CXG_HOME");
        return Path.of(home == null || home.isBlank() ? ".cxg" : home, "pki");
    }

    static void print(PrintWriter out, List<PkiFile> files) {
        files.forEach(f -> out.println(f.outcome().label() + " " + f.path()));
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the member CA and demo member certificates (keeps a valid existing set).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", description = "PKI directory (default: $CXG_HOME/pki or .cxg/pki)")
        Path dir;
        @Option(names = "--force", description = "Re-issue everything, including a new CA.")
        boolean force;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), DevPki.init(dir == null ? defaultDir() : dir, force));
            return OK;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue (or re-issue) a certificate for one member from the existing CA.")
    static final class Issue implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "member name, e.g. court")
        String name;
        @Option(names = "--kind", required = true, paramLabel = "KIND",
                description = "gateway, agency, platform or auditor")
        String kind;
        @Option(names = "--dir", description = "PKI directory (default: $CXG_HOME/pki or .cxg/pki)")
        Path dir;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), DevPki.open(dir == null ? defaultDir() : dir).issue(name, kind));
            return OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a member's current certificate (adds it to ca.crl).")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MEMBER", description = "member name, e.g. court")
        String member;
        @Option(names = "--dir", description = "PKI directory (default: $CXG_HOME/pki or .cxg/pki)")
        Path dir;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            DevPki pki = DevPki.open(dir == null ? defaultDir() : dir);
            BigInteger serial = pki.revoke(member);
            spec.commandLine().getOut().println("revoked " + member + " (serial " + serial.toString(16) + ")");
            spec.commandLine().getOut().println("updated " + pki.dir().resolve("ca.crl"));
            return OK;
        }
    }
}
