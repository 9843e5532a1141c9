package cxg.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The other issues' benchmarks that issue 6 item 4 wants in the same report: the audit log
 * ({@code ./cxg bench audit}), ingestion ({@code ./cxg bench ingest}, when this checkout has it)
 * and the token check's cost (the gateway's {@code TokenCheckCost}). Each runs after the
 * report's own measurements, as its own process with its own time limit, writes into a
 * subdirectory of the report, and becomes one section of report.md; one that fails or is missing
 * is named as such, and never stops the report.
 */
final class Companions {

    /** One section of report.md. */
    record Section(String title, String markdown) {
    }

    private static final String TOKEN_COST = "cxg.gateway.identity.TokenCheckCost";
    private static final String TOKENS = "Token check cost (issue 4, `TokenCheckCost`)";

    private final Path root;
    private final Path out;
    private final boolean quick;
    private final Path logs;

    Companions(Path root, Path out, boolean quick, Path logs) {
        this.root = root;
        this.out = out;
        this.quick = quick;
        this.logs = logs;
    }

    List<Section> run() throws InterruptedException, IOException {
        Files.createDirectories(logs);
        List<Section> sections = new ArrayList<>();
        sections.add(guarded("Audit log appends and proofs (issue 5, `./cxg bench audit`)", this::audit));
        sections.add(guarded("Ingestion (`./cxg bench ingest`)", this::ingest));
        sections.add(guarded(TOKENS, this::tokens));
        return sections;
    }

    private interface Step {
        Section run() throws IOException, InterruptedException;
    }

    /** A companion that cannot even be started becomes a section saying so. */
    private static Section guarded(String title, Step step) throws InterruptedException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            return new Section(title, "Could not run: " + e.getClass().getSimpleName() + ": " + e.getMessage() + "\n");
        }
    }

    private Section audit() throws InterruptedException, IOException {
        String title = "Audit log appends and proofs (issue 5, `./cxg bench audit`)";
        Path dir = emptied(out.resolve("audit"));
        List<String> cmd = new ArrayList<>(List.of(root.resolve("cxg").toString(), "bench", "audit", "--out", dir.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        String failure = runProcess("audit", cmd, Duration.ofMinutes(6));
        return section(title, failure, dir.resolve("audit.md"), "audit/");
    }

    private Section ingest() throws InterruptedException, IOException {
        String title = "Ingestion (`./cxg bench ingest`)";
        if (!Files.readString(root.resolve("cxg")).contains("bench ingest")) {
            return new Section(title, "Not in this checkout: `./cxg` has no `bench ingest` yet.\n");
        }
        Path dir = emptied(out.resolve("ingest"));
        List<String> cmd = new ArrayList<>(List.of(root.resolve("cxg").toString(), "bench", "ingest", dir.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        String failure = runProcess("ingest", cmd, Duration.ofMinutes(5));
        return section(title, failure, dir.resolve("ingest.md"), "ingest/");
    }

    /**
     * The token check's cost ({@code TokenCheckCost}: interleaved rounds of calls with and without it, in one JVM) on
     * the gateway's test class path (written by {@code ./cxg}'s build, which {@code ./cxg bench audit} uses too).
     */
    private Section tokens() throws InterruptedException, IOException {
        String title = TOKENS;
        Path testClasses = root.resolve("gateway/target/test-classes");
        Path cpFile = root.resolve("gateway/target/test.classpath");
        if (!Files.isRegularFile(cpFile)) {
            // ./cxg's build writes it; without ./cxg, the same from the reactor (with -am: nothing from ~/.m2's SNAPSHOTs)
            String failure = runProcess("tokens-classpath", List.of("mvn", "-B", "-q", "-pl", "gateway", "-am", "-DskipTests", "package",
                    "dependency:build-classpath", "-Dmdep.includeScope=test", "-Dmdep.outputFile=target/test.classpath"), Duration.ofMinutes(6));
            if (failure != null) {
                return new Section(title, "Not run: the gateway's test class path could not be resolved. " + failure + "\n");
            }
        }
        if (!Files.isDirectory(testClasses.resolve("cxg/gateway/identity")) || !Files.isRegularFile(cpFile)) {
            return new Section(title, "Not run: the gateway's test classes or their class path ("
                    + root.relativize(cpFile) + ") are missing.\n");
        }
        Path dir = emptied(out.resolve("tokens"));
        String cp = testClasses + ":" + root.resolve("gateway/target/classes") + ":" + Files.readString(cpFile).strip();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx512m",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", cp, TOKEN_COST, "--out", dir.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        // the fixture finds the policies as ../policies, from the gateway module's directory
        String failure = runProcess("tokens", cmd, Duration.ofMinutes(3), root.resolve("gateway"));
        return section(title, failure, dir.resolve("tokens.md"), "tokens/");
    }

    /**
     * {@code dir} without what an earlier report left in it: the report may write where a committed report is (the
     * day's directory), and a file the companion no longer writes would otherwise stay beside the new ones.
     */
    static Path emptied(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return dir;
    }

    /** A section from a benchmark's own Markdown, its headings moved one level down under ours. */
    private Section section(String title, String failure, Path markdown, String subdir) throws IOException {
        if (failure != null) {
            return new Section(title, failure + "\n");
        }
        if (!Files.isRegularFile(markdown)) {
            return new Section(title, "Finished but wrote no " + markdown.getFileName() + ".\n");
        }
        StringBuilder md = new StringBuilder("Raw figures in `" + subdir + "`.\n\n");
        try (Stream<String> lines = Files.lines(markdown)) {
            lines.forEach(l -> {
                if (l.startsWith("# ")) {
                    return; // our own title replaces theirs
                }
                md.append(l.startsWith("#") ? "#" + l : l).append('\n');
            });
        }
        return new Section(title, md.toString());
    }

    /** Runs a command to completion within {@code limit}; null when it exited 0, else what went wrong. */
    private String runProcess(String name, List<String> cmd, Duration limit) throws InterruptedException, IOException {
        return runProcess(name, cmd, limit, root);
    }

    private String runProcess(String name, List<String> cmd, Duration limit, Path directory) throws InterruptedException, IOException {
        Path log = logs.resolve(name + ".log");
        System.out.println("cxg bench report: running " + name + " benchmark (log " + log + ")");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            return "Did not finish within " + limit.toMinutes() + " minutes; stopped. Log: `" + out.relativize(log) + "`.";
        }
        System.out.printf("cxg bench report: %s benchmark exit %d after %.0f s%n", name, p.exitValue(), (System.nanoTime() - start) / 1e9);
        return p.exitValue() == 0 ? null : "Failed (exit " + p.exitValue() + "). Log: `" + out.relativize(log) + "`.";
    }
}
