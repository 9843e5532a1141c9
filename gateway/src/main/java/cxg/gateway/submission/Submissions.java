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
import java.security.MessageDigest;
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
     * Handles one request of the stream for {@code platform} (already admitted): {@link #prepare}, then
     * {@link #store}.
     *
     * @throws cxg.gateway.store.StoreException if the store could not commit; nothing of this request is stored
     */
    public List<SubmissionAck> submit(Member platform, SubmitRequest request) {
        return store(prepare(platform, request));
    }

    /**
     * A request verified, parsed and validated but not stored yet: the rejections it already has,
     * the items to write, and the subjects its items name (for the audit entry). Touches no store, so
     * the next request can be prepared while the previous one is written.
     */
    public static final class Prepared {
        private final Member platform;
        private final Instant now;
        private final SubmissionAck[] acks;
        private final List<IncomingItem> toStore;
        private final int[] positions;
        private final SubmissionStore.BatchSignature batch;
        private final List<String> subjects;

        private Prepared(Member platform, Instant now, SubmissionAck[] acks, List<IncomingItem> toStore, int[] positions,
                         SubmissionStore.BatchSignature batch, List<String> subjects) {
            this.platform = platform;
            this.now = now;
            this.acks = acks;
            this.toStore = toStore;
            this.positions = positions;
            this.batch = batch;
            this.subjects = subjects;
        }

        /** The subjects named by the request's readable items (valid or not), in order. */
        public List<String> subjects() {
            return subjects;
        }
    }

    /** Verifies the signature, parses and validates the request's items; stores nothing. */
    public Prepared prepare(Member platform, SubmitRequest request) {
        PolicySet policy = policies.current();
        Instant now = clock.instant();
        Optional<Ed25519PublicKeyParameters> key = keys.keyOf(platform);
        MessageDigest sha = Signatures.sha256();
        return switch (request.getKindCase()) {
            case ITEM -> {
                ByteString payload = request.getItem().getPayload();
                yield handle(platform, policy, now, sha, List.of(payload), null,
                        verdictForItem(key, platform, payload, request.getItem().getSignature()),
                        request.getItem().getSignature(), null);
            }
            case BATCH -> batch(platform, policy, now, sha, key, request.getBatch());
            case KIND_NOT_SET -> new Prepared(platform, now, new SubmissionAck[] {SubmissionAck.newBuilder()
                    .setStatus(AckStatus.REJECTED).setField("kind").setReason("one of item or batch is required").build()},
                    List.of(), new int[0], null, List.of());
        };
    }

    /**
     * Writes the prepared items in one store transaction and answers every item, in order.
     *
     * @throws cxg.gateway.store.StoreException if the store could not commit; nothing of this request is stored
     */
    public List<SubmissionAck> store(Prepared prepared) {
        SubmissionAck[] acks = prepared.acks.clone();
        if (!prepared.toStore.isEmpty()) {
            List<WriteOutcome> outcomes = store.write(prepared.platform.id(), prepared.toStore, prepared.batch, prepared.now);
            for (int k = 0; k < outcomes.size(); k++) {
                int i = prepared.positions[k];
                acks[i] = stored(acks[i].toBuilder(), outcomes.get(k));
            }
        }
        return Arrays.asList(acks);
    }

    private Prepared batch(Member platform, PolicySet policy, Instant now, MessageDigest sha,
                           Optional<Ed25519PublicKeyParameters> key, SignedBatch batch) {
        List<ByteString> payloads = batch.getPayloadsList();
        Rejection verdict;
        List<byte[]> hashes = new ArrayList<>(payloads.size());
        if (payloads.size() > MAX_BATCH) {
            verdict = new Rejection("batch.payloads", "a batch carries at most " + MAX_BATCH + " items");
        } else {
            for (ByteString p : payloads) {
                p.asReadOnlyByteBufferList().forEach(sha::update);
                hashes.add(sha.digest());
            }
            verdict = noKey(key, platform).orElseGet(() ->
                    Signatures.verify(key.get(), Signatures.concat(hashes), batch.getSignature().toByteArray())
                            ? null : new Rejection("batch.signature", badSignature(platform)));
        }
        return handle(platform, policy, now, sha, payloads, hashes.size() == payloads.size() ? hashes : null, verdict, null,
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
     * Answers the payloads the signature verdict or validation refuse (REJECTED) and lines up the
     * rest for one store transaction. {@code hashes} are the payloads' SHA-256 when the batch
     * verification computed them already, else null.
     */
    private Prepared handle(Member platform, PolicySet policy, Instant now, MessageDigest sha, List<ByteString> payloads,
                            List<byte[]> hashes, Rejection signatureVerdict, ByteString itemSignature,
                            SubmissionStore.BatchSignature batch) {
        boolean inBatch = itemSignature == null;
        SubmissionAck[] acks = new SubmissionAck[payloads.size()];
        List<IncomingItem> toStore = new ArrayList<>(payloads.size());
        int[] positions = new int[payloads.size()];
        List<String> subjects = new ArrayList<>(payloads.size());
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
                    String subject = subjectOf(item);
                    if (!subject.isBlank()) {
                        subjects.add(subject);
                    }
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
            byte[] hash = hashes != null ? hashes.get(i) : sha.digest(payload);
            positions[toStore.size()] = i;
            toStore.add(new IncomingItem(item, payload, hash, inBatch ? null : itemSignature.toByteArray(), inBatch ? i : -1));
        }
        return new Prepared(platform, now, acks, toStore, Arrays.copyOf(positions, toStore.size()), batch, subjects);
    }

    /** The subject an item names, or "" (a lift names none). */
    static String subjectOf(SubmissionItem item) {
        return switch (item.getContentCase()) {
            case RATING -> item.getRating().getSubject().getValue();
            case RECORD -> item.getRecord().getSubject().getValue();
            default -> "";
        };
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
