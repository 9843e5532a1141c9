package cxg.gateway.startup;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Quarkus logs a failure to start the separate gRPC server (a bean it needs could not be built:
 * certificates, the audit log) with a stack trace, and then goes on running without the server.
 * This console filter keeps the first such failure for {@link GrpcServerStarted} to fail start-up
 * with, and drops the record when {@link StartupFailure} can name the reason: the start-up
 * failure reports it in one line. Failures it cannot name are logged as before.
 */
@LoggingFilter(name = "cxg-grpc-start")
public final class GrpcStartFailures implements Filter {

    static final String RECORDER = "io.quarkus.grpc.runtime.GrpcServerRecorder";

    private static final AtomicReference<Throwable> FIRST = new AtomicReference<>();

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (thrown == null || !RECORDER.equals(record.getLoggerName())) {
            return true;
        }
        FIRST.compareAndSet(null, thrown);
        return StartupFailure.describe(thrown).isEmpty();
    }

    /** The first failure the gRPC server start logged in this JVM, if any. */
    public static Optional<Throwable> first() {
        return Optional.ofNullable(FIRST.get());
    }
}
