package cxg.gateway.policy.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import cxg.gateway.policy.AnswerFilter;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyError;
import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.Withheld;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cxg policy check [DIR]} and {@code cxg policy explain ...}. Exit codes: 0 ok (valid,
 * or allowed), 2 invalid input or an invalid policy set, 3 denied by policy, 1 anything else.
 */
@Command(name = "cxg policy", mixinStandardHelpOptions = true, subcommands = {PolicyCli.Check.class, PolicyCli.Explain.class},
        description = "Validate the policy files and explain policy decisions.")
public final class PolicyCli implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    static final int DENIED = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new PolicyCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("cxg policy: " + e.getMessage());
            return INVALID;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            err.println("cxg policy: failed: " + e.getClass().getSimpleName());
            return FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check or explain");
    }

    /** Loads a directory; on errors prints each as {@code DIR/file:line: message} and returns empty. */
    static Optional<PolicySet> load(Path dir, PrintWriter err) {
        if (!Files.isDirectory(dir)) {
            err.println("cxg policy: DIR: not a directory: " + dir);
            return Optional.empty();
        }
        PolicyLoader.Result result = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.unlimited()).load(dir);
        for (PolicyError e : result.errors()) {
            err.println(dir.resolve(e.file()) + ":" + e.line() + ": " + e.message());
        }
        return result.policySet();
    }

    @Command(name = "check", description = "Validate a policy directory as a whole (exit 0 valid, 2 invalid).")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "DIR", defaultValue = "${sys:cxg.policy.dir:-policies}",
                description = "policy directory (default: the repository's policies/)")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<PolicySet> set = load(dir, err);
            if (set.isEmpty()) {
                return INVALID;
            }
            PolicySet p = set.get();
            out.printf("%s: valid (%d members, %d agreements)%n", dir, p.members().size(), p.agreements().size());
            return OK;
        }
    }

    @Command(name = "explain", description = "Print the decision for a request, the rule that decided it, and what would be withheld.")
    static final class Explain implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--member", required = true, description = "member id, e.g. court")
        String member;

        @Option(names = "--purpose", required = true, description = "purpose, e.g. court-enforcement")
        String purpose;

        @Option(names = "--categories", split = ",", description = "data categories, e.g. FINANCIAL,JUDICIAL (default: all granted)")
        List<String> categories = new ArrayList<>();

        @Option(names = "--disclosure", description = "TIER_ONLY, SCORE or FULL (default: the most granted)")
        String disclosure;

        @Option(names = "--dir", defaultValue = "${sys:cxg.policy.dir:-policies}",
                description = "policy directory (default: the repository's policies/)")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Disclosure level = null;
            if (disclosure != null) {
                try {
                    level = Disclosure.valueOf(disclosure.trim().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    err.println("cxg policy: --disclosure: must be TIER_ONLY, SCORE or FULL, not '" + disclosure + "'");
                    return INVALID;
                }
            }
            Optional<PolicySet> loaded = load(dir, err);
            if (loaded.isEmpty()) {
                return INVALID;
            }
            PolicySet policy = loaded.get();
            Optional<Member> caller = policy.member(member);
            if (caller.isEmpty()) {
                err.println("cxg policy: --member: unknown member '" + member + "' (not in members.yaml)");
                return INVALID;
            }
            if (!policy.isKnownPurpose(purpose)) {
                err.println("cxg policy: --purpose: unknown purpose '" + purpose + "' (not in purposes.yaml)");
                return INVALID;
            }
            Set<String> asked = new LinkedHashSet<>();
            for (String c : categories) {
                String category = c.trim();
                if (!policy.isKnownCategory(category)) {
                    err.println("cxg policy: --categories: unknown category '" + category + "' (not in categories.yaml)");
                    return INVALID;
                }
                asked.add(category);
            }
            Decision d = policy.decide(caller.get(), purpose, asked, level);
            out.println("decision:   " + (d.allowed() ? "ALLOWED" : "DENIED (" + d.outcome() + ")"));
            out.println("rule:       " + d.rule());
            out.println("reason:     " + d.reason());
            if (!d.allowed()) {
                return DENIED;
            }
            out.println("disclosure: " + d.disclosure());
            out.println("categories: " + String.join(", ", new TreeSet<>(d.grantedCategories())));
            out.println("withheld from every platform's answer:");
            for (String line : withheld(policy, d)) {
                out.println("  " + line);
            }
            return OK;
        }
    }

    /**
     * What the real filter withholds from a probe answer carrying one factor and one attribute
     * per category of the taxonomy, summarised by reason.
     */
    static List<String> withheld(PolicySet policy, Decision decision) {
        // answered as the first platform with a scale, so that normalisation is shown as it happens
        Member platform = policy.platforms().stream().filter(m -> m.scaleId().isPresent()).findFirst().orElse(null);
        String platformId = platform == null ? "probe" : platform.id();
        double value = platform == null ? 0 : policy.scale(platform.scaleId().get()).map(sc -> sc.min()).orElse(0.0);
        PlatformRating.Builder probe = PlatformRating.newBuilder().setPlatform(platformId).setValue(value).setTier("probe");
        List<String> categories = new ArrayList<>(new TreeSet<>(policy.categories().allowed()));
        categories.addAll(new TreeSet<>(policy.categories().prohibited()));
        for (String c : categories) {
            Factor.Builder f = Factor.newBuilder().setCategory(c).setCode("probe");
            if (policy.categories().isProhibited(c)) {
                probe.putAttributes(policy.categories().keywords(c).get(0), "");
            }
            probe.addFactors(f);
        }
        AnswerFilter.Filtered filtered = policy.answerFilter().filter(platformId, probe.build(), decision);
        Map<String, Set<String>> byReason = new LinkedHashMap<>();
        for (Withheld w : filtered.withheld()) {
            String what = w.getField().startsWith("factors[") ? "factors in" : w.getField().startsWith("attributes.") ? "attributes revealing"
                    : w.getField();
            byReason.computeIfAbsent(w.getReason() + "|" + what, k -> new TreeSet<>()).add(w.getCategory());
        }
        List<String> lines = new ArrayList<>();
        byReason.forEach((key, cats) -> {
            String[] parts = key.split("\\|", 2);
            cats.remove("");
            lines.add(parts[1] + (cats.isEmpty() ? "" : " " + String.join(", ", cats)) + ": " + parts[0]);
        });
        return lines;
    }
}
