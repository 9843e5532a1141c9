package cxg.audit.verify;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cxg-audit-verify verify}: checks the cxg audit log without trusting the gateway.
 * Exit codes: 0 verified, 1 a check failed (the message names the entry or check), 2 invalid input
 * or usage, 4 the tiles could not be fetched.
 */
@Command(name = "cxg-audit-verify", mixinStandardHelpOptions = true, subcommands = VerifyCli.Verify.class,
        description = "Independent verifier of the cxg audit log (RFC 6962 tree, C2SP tlog-tiles and checkpoints).")
public final class VerifyCli implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new VerifyCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("usage: " + ex.getMessage());
            return 2;
        });
        return cl.execute(args);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify an export file, or a whole tiled log against a checkpoint.")
    static final class Verify implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--export", paramLabel = "FILE", description = "Export file (cxg-audit-export/v1 JSON).")
        Path export;

        @Option(names = "--tiles", paramLabel = "DIR-or-URL", description = "tlog-tiles prefix: a directory or an http(s) URL.")
        String tiles;

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "Signed checkpoint to verify the tiles against (default: <tiles>/checkpoint).")
        Path checkpoint;

        @Option(names = "--key", required = true, paramLabel = "KEY-or-FILE",
                description = "The log's verifier key <name>+<id>+<base64>, or a file holding it.")
        String key;

        @Option(names = "--state", paramLabel = "FILE",
                description = "Where the last trusted checkpoint is remembered (default: $CXG_HOME/audit/verifier-state, else .cxg/audit/verifier-state).")
        Path state;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if ((export == null) == (tiles == null)) {
                err.println("usage: give exactly one of --export FILE or --tiles DIR-or-URL");
                return 2;
            }
            Path statePath = state != null ? state : defaultState();
            String verifierKey;
            Optional<SignedCheckpoint> trusted;
            try {
                verifierKey = readKey(key);
                SignedCheckpoint.checkKey(verifierKey);
            } catch (IOException e) {
                err.println("invalid input: cannot read " + e.getMessage());
                return 2;
            } catch (SignedCheckpoint.Invalid e) {
                err.println("invalid input: " + e.getMessage());
                return 2;
            }
            try {
                trusted = Files.exists(statePath)
                        ? Optional.of(SignedCheckpoint.verify(Files.readString(statePath, StandardCharsets.UTF_8), verifierKey))
                        : Optional.empty();
            } catch (IOException e) {
                err.println("invalid input: cannot read " + e.getMessage());
                return 2;
            } catch (SignedCheckpoint.Invalid e) {
                err.println("FAILED state: the trusted checkpoint in " + statePath + " does not verify (" + e.getMessage() + ")");
                return 1;
            }
            Verifier.Outcome outcome;
            try {
                if (export != null) {
                    Object parsed;
                    try {
                        parsed = Json.parse(Files.readString(export, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        err.println("invalid input: export: " + e.getMessage());
                        return 2;
                    }
                    if (!(parsed instanceof Map<?, ?>)) {
                        err.println("invalid input: export: not a JSON object");
                        return 2;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) parsed;
                    outcome = Verifier.verifyExport(m, verifierKey, trusted);
                } else {
                    TileSource src = TileSource.of(tiles);
                    String note;
                    if (checkpoint != null) {
                        note = Files.readString(checkpoint, StandardCharsets.UTF_8);
                    } else {
                        note = new String(src.get("checkpoint").orElseThrow(() -> new IOException(src.describe("checkpoint"))),
                                StandardCharsets.UTF_8);
                    }
                    outcome = Verifier.verifyTiles(src, SignedCheckpoint.verify(note, verifierKey), trusted);
                }
            } catch (SignedCheckpoint.Invalid e) {
                err.println("FAILED " + e.getMessage());
                return 1;
            } catch (Verifier.Failed e) {
                err.println("FAILED " + e.getMessage());
                return 1;
            } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
                err.println("unavailable: " + tiles + " cannot be reached");
                return 4;
            } catch (IOException e) {
                err.println("invalid input: cannot read " + e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                err.println("invalid input: " + (e.getMessage() != null ? e.getMessage() : "malformed export file"));
                return 2;
            }
            SignedCheckpoint cp = outcome.checkpoint();
            try {
                if (trusted.isEmpty() || cp.size() > trusted.get().size()) {
                    Files.createDirectories(statePath.toAbsolutePath().getParent());
                    Path tmp = statePath.resolveSibling(statePath.getFileName() + ".tmp");
                    Files.writeString(tmp, cp.note(), StandardCharsets.UTF_8);
                    Files.move(tmp, statePath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                err.println("verified, but cannot remember the checkpoint in " + statePath + ": " + e.getMessage());
                return 1;
            }
            out.println("OK " + cp.origin() + " tree size " + cp.size() + ": signature valid, "
                    + outcome.entriesChecked() + " entries verified, " + outcome.consistency());
            return 0;
        }

        private static Path defaultState() {
            String home = System.getenv("CXG_HOME");
            return home != null ? Path.of(home, "audit", "verifier-state") : Path.of(".cxg", "audit", "verifier-state");
        }

        private static String readKey(String keyOrFile) throws IOException {
            Path p = Path.of(keyOrFile);
            if (!keyOrFile.contains("+") || Files.isRegularFile(p)) {
                return Files.readString(p, StandardCharsets.UTF_8).trim();
            }
            return keyOrFile.trim();
        }
    }
}
