package cxg.gateway.submission;

import com.google.protobuf.InvalidProtocolBufferException;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.store.IncomingItem;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.store.WriteOutcome;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.AckStatus;
import cxg.v1.SignedBatch;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * The submission pipeline for one request of a platform's stream: verify the signature
 * (of the item, or of the batch over its items' hashes), parse, validate, and write the
 * items that pass in one store transaction. Answers one acknowledgement per item, in
 * order; a bad item is REJECTED with its field and never affects its neighbours. An ACCEPTED
 * or DUPLICATE acknowledgement is only produced after the store committed.
 */
public final class Submissions {

    /** Most items one signed batch may carry. */
    public static final int MAX_BATCH = 1000;
    /** Largest payload of one item, in bytes. */
    public static final int MAX_PAYLOAD = 64 * 1024;

    private final PolicyRepository policies;
    private final SigningKeys keys;
    private final SubmissionStore store;
    private final Clock clock;
    private final ItemValidator validator = new ItemValidator();

    public Submissions(PolicyRepository policies, SigningKeys keys, SubmissionStore store, Clock clock) {
        this.policies = Objects.requireNonNull(policies);
        this.keys = Objects.requireNonNull(keys);
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Only platforms submit, and only for themselves: the caller is the platform every item is stored under. */
    public static Outcome<Member> admit(Member caller) {
        if (caller.kind() != MemberKind.PLATFORM) {
            return Outcome.fail(Failure.permissionDenied("platforms-only",
                    "only platform members submit ratings and records; " + caller.id() + " is "
                            + caller.kind().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return Outcome.ok(caller);
    }

    /**
     * Handles one request of the stream for {@code platform} (already admitted).
     *
     * @throws cxg.gateway.store.StoreException if the store could not commit; nothing of this request is stored
     */
    public List<SubmissionAck> submit(Member platform, SubmitRequest request) {
        PolicySet policy = policies.current();
        Instant now = clock.instant();
        Optional<Ed25519PublicKeyParameters> key = keys.keyOf(platform);
        return switch (request.getKindCase()) {
            case ITEM -> handle(platform, policy, now, List.of(request.getItem().getPayload()),
                    verdictForItem(key, platform, request.getItem().getPayload(), request.getItem().getSignature()),
                    request.getItem().getSignature(), null);
            case BATCH -> batch(platform, policy, now, key, request.getBatch());
            case KIND_NOT_SET -> List.of(SubmissionAck.newBuilder().setStatus(AckStatus.REJECTED)
                    .setField("kind").setReason("one of item or batch is required").build());
        };
    }

    private List<SubmissionAck> batch(Member platform, PolicySet policy, Instant now,
                                      Optional<Ed25519PublicKeyParameters> key, SignedBatch batch) {
        List<ByteString> payloads = batch.getPayloadsList();
        Rejection verdict;
        List<byte[]> hashes = new ArrayList<>(payloads.size());
        if (payloads.size() > MAX_BATCH) {
            verdict = new Rejection("batch.payloads", "a batch carries at most " + MAX_BATCH + " items");
        } else {
            payloads.forEach(p -> hashes.add(Signatures.sha256(p.toByteArray())));
            verdict = noKey(key, platform).orElseGet(() ->
                    Signatures.verify(key.get(), Signatures.concat(hashes), batch.getSignature().toByteArray())
                            ? null : new Rejection("batch.signature", badSignature(platform)));
        }
        return handle(platform, policy, now, payloads, verdict, null,
                verdict == null ? new SubmissionStore.BatchSignature(batch.getSignature().toByteArray(), hashes) : null);
    }

    private Rejection verdictForItem(Optional<Ed25519PublicKeyParameters> key, Member platform, ByteString payload,
                                     ByteString signature) {
        return noKey(key, platform).orElseGet(() ->
                Signatures.verify(key.get(), payload.toByteArray(), signature.toByteArray())
                        ? null : new Rejection("signature", badSignature(platform)));
    }

    private static Optional<Rejection> noKey(Optional<Ed25519PublicKeyParameters> key, Member platform) {
        return key.isPresent() ? Optional.empty() : Optional.of(new Rejection("signature",
                "no signing key is registered for " + platform.id() + " (policies/members.yaml signingKey)"));
    }

    private static String badSignature(Member platform) {
        return "does not verify with the Ed25519 key registered for " + platform.id();
    }

    /**
     * Acknowledges every payload: those the signature verdict or validation refuse are
     * REJECTED here; the rest go to the store in one transaction.
     */
    private List<SubmissionAck> handle(Member platform, PolicySet policy, Instant now, List<ByteString> payloads,
                                       Rejection signatureVerdict, ByteString itemSignature,
                                       SubmissionStore.BatchSignature batch) {
        boolean inBatch = itemSignature == null;
        SubmissionAck[] acks = new SubmissionAck[payloads.size()];
        List<IncomingItem> toStore = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            byte[] payload = payloads.get(i).toByteArray();
            SubmissionAck.Builder ack = SubmissionAck.newBuilder();
            if (inBatch) {
                ack.setBatchIndex(i);
            }
            SubmissionItem item = null;
            Rejection rejection = null;
            if (payload.length > MAX_PAYLOAD) {
                rejection = new Rejection("payload", "at most " + MAX_PAYLOAD + " bytes per item");
            } else {
                try {
                    item = SubmissionItem.parseFrom(payload);
                    ack.setItemId(item.getItemId());
                } catch (InvalidProtocolBufferException e) {
                    rejection = new Rejection("payload", "is not a serialised SubmissionItem");
                }
            }
            if (rejection == null && signatureVerdict != null) {
                rejection = signatureVerdict;
            }
            if (rejection == null) {
                rejection = validator.validate(item, platform, policy, now).orElse(null);
            }
            if (rejection != null) {
                acks[i] = ack.setStatus(AckStatus.REJECTED).setField(rejection.field()).setReason(rejection.reason()).build();
                continue;
            }
            acks[i] = ack.build();
            toStore.add(new IncomingItem(item, payload, Signatures.sha256(payload),
                    inBatch ? null : itemSignature.toByteArray(), inBatch ? i : -1));
            positions.add(i);
        }
        if (!toStore.isEmpty()) {
            List<WriteOutcome> outcomes = store.write(platform.id(), toStore, batch, now);
            for (int k = 0; k < outcomes.size(); k++) {
                int i = positions.get(k);
                acks[i] = stored(acks[i].toBuilder(), outcomes.get(k));
            }
        }
        return Arrays.asList(acks);
    }

    private static SubmissionAck stored(SubmissionAck.Builder ack, WriteOutcome outcome) {
        return switch (outcome) {
            case ACCEPTED -> ack.setStatus(AckStatus.ACCEPTED).build();
            case DUPLICATE -> ack.setStatus(AckStatus.DUPLICATE).build();
            case CONFLICT -> ack.setStatus(AckStatus.REJECTED).setField("item_id")
                    .setReason("was submitted before with different content; use a new id").build();
            case NO_SUCH_RECORD -> ack.setStatus(AckStatus.REJECTED).setField("lift.record_item_id")
                    .setReason("names no record this platform submitted").build();
        };
    }
}
