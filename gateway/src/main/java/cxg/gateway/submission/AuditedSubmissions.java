package cxg.gateway.submission;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
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
import java.util.concurrent.CompletionStage;

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
        int rejected = (int) acks.stream().filter(a -> a.getStatus() == AckStatus.REJECTED).count();
        List<String> subjects = subjects(request);
        if (subjects.size() <= SUBJECTS_PER_ENTRY) {
            recorder.recordAndWait(entry(platform, null).batch(acks.size() - rejected, rejected, subjects).outcome("OK"), TIMEOUT);
            return acks;
        }
        // A full batch's subject hashes would not fit one tlog-tiles entry (at most 64 KB): record them in
        // parts tied by request id; the first part carries the request's counts, the others only hashes.
        String id = UUID.randomUUID().toString();
        int parts = (subjects.size() + SUBJECTS_PER_ENTRY - 1) / SUBJECTS_PER_ENTRY;
        for (int part = 0; part < parts; part++) {
            List<String> slice = subjects.subList(part * SUBJECTS_PER_ENTRY, Math.min(subjects.size(), (part + 1) * SUBJECTS_PER_ENTRY));
            AuditEntry.Builder b = entry(platform, id + "#" + (part + 1) + "/" + parts);
            b = part == 0 ? b.batch(acks.size() - rejected, rejected, slice) : b.batch(0, 0, slice);
            recorder.recordAndWait(b.outcome("OK"), TIMEOUT);
        }
        return acks;
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
                SubmissionItem item = SubmissionItem.parseFrom(p);
                String id = switch (item.getContentCase()) {
                    case RATING -> item.getRating().getSubject().getValue();
                    case RECORD -> item.getRecord().getSubject().getValue();
                    default -> "";
                };
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
