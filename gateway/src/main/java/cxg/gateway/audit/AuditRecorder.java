package cxg.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What request handlers call before an answer leaves the gateway: build an {@link AuditEntry},
 * then {@link #record} it and answer only when that completes. A failure is always an
 * {@link AuditUnavailableException}, to be mapped to UNAVAILABLE (fail closed).
 *
 * <pre>{@code
 * recorder.record(recorder.entry("cxg.v1.QueryService", "QueryScore")
 *         .caller(member.id(), member.kind().name()).purpose(q.purpose()).subject(q.subject().value())
 *         .categoriesRequested(q.categories()).decision(decision).requestId(q.requestId())
 *         .outcome("OK"))
 *     .thenApply(index -> report);
 * }</pre>
 */
public final class AuditRecorder {

    private final AuditLog log;
    private final SubjectHasher hasher;
    private final Clock clock;

    public AuditRecorder(AuditLog log, SubjectHasher hasher, Clock clock) {
        this.log = log;
        this.hasher = hasher;
        this.clock = clock;
    }

    public AuditEntry.Builder entry(String service, String method) {
        return new AuditEntry.Builder(hasher, clock.instant(), service, method);
    }

    /** Appends the entry; completes with its log index once durable. */
    public CompletionStage<Long> record(AuditEntry entry) {
        // the encoded bytes are the log's from here: no defensive copy
        return log.appendOwned(entry.toBytes()).exceptionally(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AuditUnavailableException u) {
                throw u;
            }
            throw new AuditUnavailableException("audit entry could not be recorded", cause);
        });
    }

    /** Blocking form for synchronous handlers. */
    public long recordAndWait(AuditEntry entry, Duration timeout) {
        try {
            return record(entry).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AuditUnavailableException u ? u
                    : new AuditUnavailableException("audit entry could not be recorded", e.getCause());
        } catch (TimeoutException e) {
            throw new AuditUnavailableException("audit entry not durable within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while recording an audit entry", e);
        }
    }

    public SubjectHasher subjects() {
        return hasher;
    }

    public AuditLog log() {
        return log;
    }
}
