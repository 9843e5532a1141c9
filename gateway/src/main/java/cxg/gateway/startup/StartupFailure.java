package cxg.gateway.startup;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

import io.quarkus.runtime.QuarkusBindException;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.ConfigValidationException;

/**
 * Why the gateway could not start, in the words of the code that refused: a broken policy set,
 * a missing certificate, an audit directory it cannot open, a database it cannot reach, a port in use. Those are
 * the operator's to fix and are reported as one line (a policy set lists one error per line), never
 * as a stack trace. A failure no cxg code described is a bug and keeps its stack trace.
 */
public final class StartupFailure {

    private StartupFailure() {
    }

    /**
     * The operator's reason for {@code failure}, or empty when no cxg code or configuration check
     * described it. The reason is the first message cxg code wrote along the cause chain, followed by
     * the root cause's when that one adds something (the file or the refused connection).
     */
    public static Optional<String> describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException || t instanceof ConfigValidationException) {
                return Optional.ofNullable(t.getMessage());
            }
            if (t instanceof QuarkusBindException bind) {
                return Optional.of("port " + bind.getPort() + " on " + bind.getHost() + " is already in use: another process,"
                        + " or a gateway already running, listens there (quarkus.http.port, quarkus.grpc.server.port)");
            }
            if (writtenByCxg(t)) {
                return Optional.of(withRootCause(t));
            }
        }
        return Optional.empty();
    }

    /** An exception cxg code threw on purpose, with a message for people (not an NPE in cxg code). */
    private static boolean writtenByCxg(Throwable t) {
        boolean deliberate = t instanceof IllegalStateException || t instanceof IllegalArgumentException
                || t instanceof java.io.UncheckedIOException || t.getClass().getName().startsWith("cxg.");
        StackTraceElement[] frames = t.getStackTrace();
        return deliberate && t.getMessage() != null && frames.length > 0 && frames[0].getClassName().startsWith("cxg.");
    }

    private static String withRootCause(Throwable described) {
        Throwable root = described;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = described.getMessage();
        String rootMessage = root == described ? null : plain(root);
        return rootMessage == null || message.contains(rootMessage) ? message : message + ": " + rootMessage;
    }

    private static String plain(Throwable root) {
        if (root instanceof NoSuchFileException f) {
            return "no such file " + f.getFile();
        }
        if (root instanceof AccessDeniedException f) {
            return "permission denied on " + f.getFile();
        }
        if (root instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + ": " + f.getFile();
        }
        return root.getMessage();
    }
}
