package cxg.gateway.store.cli;

import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import cxg.gateway.store.RetentionJob;
import cxg.gateway.store.StoreException;
import cxg.gateway.store.SubmissionStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cxg store purge}: runs the gateway's retention job once, on demand, against the store the
 * gateway uses. Exit codes: 0 ok, 2 invalid input or an invalid policy set, 4 store unavailable, 1 else.
 */
@Command(name = "cxg store", mixinStandardHelpOptions = true, subcommands = StoreCli.Purge.class,
        description = "Operate the gateway's rating and record store.")
public final class StoreCli implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    static final int UNAVAILABLE = 4;

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new StoreCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("cxg store: " + e.getMessage());
            return INVALID;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("cxg store: internal error (" + e.getClass().getSimpleName() + ")");
            return FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: purge");
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Delete ratings and records that ended (expired or lifted) longer ago than policy's retention, "
                    + "and say how many were removed.")
    static final class Purge implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--url", paramLabel = "JDBC_URL",
                description = "Store URL (default: the H2 file of ./cxg up, <cxg.home>/data/gateway/submissions). "
                        + "An embedded H2 file is locked while the gateway runs; its own schedule purges it then.")
        String url;

        @Option(names = "--user", defaultValue = "sa", description = "Database user (default: ${DEFAULT-VALUE}).")
        String user;

        @Option(names = "--password", defaultValue = "", description = "Database password (default: empty).")
        String password;

        @Option(names = "--policy-dir", paramLabel = "DIR", description = "Policy directory (default: -Dcxg.policy.dir, else policies).")
        Path policyDir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = policyDir != null ? policyDir : Path.of(System.getProperty("cxg.policy.dir", "policies"));
            PolicyLoader.Result loaded = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.unlimited()).load(dir);
            if (!loaded.ok()) {
                err.println("cxg store: the policy set in " + dir + " is invalid: " + loaded.errors().get(0)
                        + " (see ./cxg policy check)");
                return INVALID;
            }
            PolicySet policy = loaded.policySet().orElseThrow();
            String jdbc = url != null ? url : SubmissionStore.h2Url(
                    Path.of(System.getProperty("cxg.home", ".cxg")).resolve("data").resolve("gateway"));
            if (!jdbc.startsWith("jdbc:h2:") && !jdbc.startsWith("jdbc:postgresql:")) {
                err.println("cxg store: --url must be a jdbc:h2: or jdbc:postgresql: URL");
                return INVALID;
            }
            SubmissionStore.Removed removed;
            try (SubmissionStore store = SubmissionStore.open(jdbc, user, password, false)) {
                removed = new RetentionJob(store, () -> policy, Clock.systemUTC()).run();
            } catch (StoreException e) {
                err.println("cxg store: the store is unavailable (" + (jdbc.startsWith("jdbc:h2:")
                        ? "an H2 file is locked while the gateway runs; the gateway purges it every cxg.store.retention-interval"
                        : "cannot connect or write") + ")");
                return UNAVAILABLE;
            }
            out.printf("removed %d items: %d ratings and %d records ended before the retention period (expiry +%s, lift +%s), %d lifts%n",
                    removed.total(), removed.ratings(), removed.records(), policy.retention().afterExpiry(),
                    policy.retention().afterLift(), removed.lifts());
            return OK;
        }
    }
}
