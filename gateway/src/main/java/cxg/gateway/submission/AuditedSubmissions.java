package cxg.gateway.submission;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.audit.AuditUnavailableException;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Member;
import cxg.gateway.transport.Failure;
import cxg.v1.AckStatus;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One audit entry per submission request (an item or a batch): counts and each item's subject,
 * hashed, recorded before the acknowledgements leave. Blocks, so it runs on the worker thread
 * that handles the request. A refused entry throws {@link cxg.gateway.audit.AuditUnavailableException}:
 * the stream then ends UNAVAILABLE without these acknowledgements (the items are stored, and a
 * resubmission is acknowledged DUPLICATE and recorded).
 */
public final class AuditedSubmissions {

    static final String SERVICE = "cxg.v1.SubmissionService";
    static final String METHOD = "Submit";
    static final String NOT_RECORDED = "the audit log could not record this request, so it was not answered; resubmit later";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Subject hashes per audit entry: 400 of ~70 bytes keep an entry well under the 64 KB tlog-tiles limit. */
    static final int SUBJECTS_PER_ENTRY = 400;

    private final AuditRecorder recorder;

    public AuditedSubmissions(AuditRecorder recorder) {
        this.recorder = recorder;
    }

    public List<SubmissionAck> record(Member platform, SubmitRequest request, List<SubmissionAck> acks) {
        return record(platform, subjects(request), acks);
    }

    /** As {@link #record(Member, SubmitRequest, List)}, with the subjects the pipeline already read from the items. */
    List<SubmissionAck> record(Member platform, List<String> subjects, List<SubmissionAck> acks) {
        int rejected = 0;
        for (SubmissionAck a : acks) {
            if (a.getStatus() == AckStatus.REJECTED) {
                rejected++;
            }
        }
        if (subjects.size() <= SUBJECTS_PER_ENTRY) {
            recorder.recordAndWait(entry(platform, null).batch(acks.size() - rejected, rejected, subjects).outcome("OK"), TIMEOUT);
            return acks;
        }
        // A full batch's subject hashes would not fit one tlog-tiles entry (at most 64 KB): record them in
        // parts tied by request id; the first part carries the request's counts, the others only hashes.
        // The parts are appended together, so that the log can make them durable in one group commit, and all
        // are awaited before answering.
        String id = UUID.randomUUID().toString();
        int parts = (subjects.size() + SUBJECTS_PER_ENTRY - 1) / SUBJECTS_PER_ENTRY;
        List<CompletableFuture<Long>> appended = new ArrayList<>(parts);
        for (int part = 0; part < parts; part++) {
            List<String> slice = subjects.subList(part * SUBJECTS_PER_ENTRY, Math.min(subjects.size(), (part + 1) * SUBJECTS_PER_ENTRY));
            AuditEntry.Builder b = entry(platform, id + "#" + (part + 1) + "/" + parts);
            b = part == 0 ? b.batch(acks.size() - rejected, rejected, slice) : b.batch(0, 0, slice);
            appended.add(recorder.record(b.outcome("OK")).toCompletableFuture());
        }
        await(CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)));
        return acks;
    }

    private static void await(CompletableFuture<Void> all) {
        try {
            all.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AuditUnavailableException u ? u
                    : new AuditUnavailableException("audit entry could not be recorded", e.getCause());
        } catch (TimeoutException e) {
            throw new AuditUnavailableException("audit entry not durable within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while recording an audit entry", e);
        }
    }

    private AuditEntry.Builder entry(Member platform, String requestId) {
        return recorder.entry(SERVICE, METHOD).caller(platform.id(), platform.kind().name().toLowerCase(Locale.ROOT))
                .requestId(requestId);
    }

    /** A caller refused at admission (not a platform): completes once recorded, then the refusal is answered. */
    public CompletionStage<Long> recordRefusal(Member caller, Failure refusal) {
        AuditEntry.Builder entry = recorder.entry(SERVICE, METHOD)
                .caller(caller.id(), caller.kind().name().toLowerCase(Locale.ROOT));
        if (refusal.rule() != null) {
            entry.decision(Decision.deny(refusal.rule(), refusal.message()));
        }
        return recorder.record(entry.outcome(refusal.reason().name()));
    }

    /** The subjects of the request's items that name one; unreadable items have none. */
    private static List<String> subjects(SubmitRequest request) {
        List<ByteString> payloads = switch (request.getKindCase()) {
            case ITEM -> List.of(request.getItem().getPayload());
            case BATCH -> request.getBatch().getPayloadsList();
            case KIND_NOT_SET -> List.of();
        };
        List<String> out = new ArrayList<>();
        for (ByteString p : payloads) {
            try {
                String id = Submissions.subjectOf(SubmissionItem.parseFrom(p));
                if (!id.isBlank()) {
                    out.add(id);
                }
            } catch (InvalidProtocolBufferException e) {
                // rejected by validation; it names no subject to record
            }
        }
        return out;
    }
}
