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

    private final AuditRecorder recorder;

    public AuditedSubmissions(AuditRecorder recorder) {
        this.recorder = recorder;
    }

    public List<SubmissionAck> record(Member platform, SubmitRequest request, List<SubmissionAck> acks) {
        int rejected = (int) acks.stream().filter(a -> a.getStatus() == AckStatus.REJECTED).count();
        AuditEntry entry = recorder.entry(SERVICE, METHOD)
                .caller(platform.id(), platform.kind().name().toLowerCase(Locale.ROOT))
                .batch(acks.size() - rejected, rejected, subjects(request))
                .outcome("OK");
        recorder.recordAndWait(entry, TIMEOUT);
        return acks;
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
