package cxg.bench.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import cxg.v1.RatingSubmission;
import cxg.v1.SignedBatch;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * Valid alpha-credit ratings for ingestion runs, and their signed batches (one Ed25519 signature
 * over the SHA-256 hashes of the batch's payloads, as {@code ./cxg scorer submit} sends them).
 * Item {@code i} of a run is the same bytes every time it is made, so resubmitting it is a duplicate.
 */
public final class Ratings {

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String CHECK = "10X98765432";

    private final String run;
    private final Instant computedAt;
    private final Ed25519PrivateKeyParameters key;

    public Ratings(String run, Instant now, Ed25519PrivateKeyParameters key) {
        this.run = run;
        this.computedAt = now.minus(Duration.ofDays(1));
        this.key = key;
    }

    public static Ed25519PrivateKeyParameters newKey() {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        AsymmetricCipherKeyPair pair = g.generateKeyPair();
        return (Ed25519PrivateKeyParameters) pair.getPrivate();
    }

    /** The PEM public key the gateway reads from {@code <pki>/<platform>.ed25519.pub}. */
    public static String publicKeyPem(Ed25519PrivateKeyParameters key) {
        try {
            byte[] der = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey()).getEncoded();
            return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String itemId(int i) {
        return run + "-" + i;
    }

    public SubmissionItem item(int i) {
        double value = 350 + (i * 37L) % 600;
        String tier = value >= 700 ? "excellent" : value >= 650 ? "very-good" : value >= 600 ? "good" : value >= 550 ? "fair" : "poor";
        return SubmissionItem.newBuilder().setItemId(itemId(i)).setRating(RatingSubmission.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(resident(i)))
                .setValue(value).setScaleId("alpha-credit").setTier(tier)
                .setComputedAt(ts(computedAt)).setValidUntil(ts(computedAt.plus(Duration.ofDays(90)))))
                .build();
    }

    /** Items {@code from} (inclusive) to {@code to} (exclusive) as one signed batch. */
    public SubmitRequest batch(int from, int to) {
        List<ByteString> payloads = new ArrayList<>(to - from);
        ByteArrayOutputStream hashes = new ByteArrayOutputStream(32 * (to - from));
        MessageDigest sha = sha256();
        for (int i = from; i < to; i++) {
            ByteString payload = item(i).toByteString();
            payloads.add(payload);
            hashes.writeBytes(sha.digest(payload.toByteArray()));
        }
        byte[] message = hashes.toByteArray();
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return SubmitRequest.newBuilder().setBatch(SignedBatch.newBuilder().addAllPayloads(payloads)
                .setSignature(ByteString.copyFrom(signer.generateSignature()))).build();
    }

    /** Items {@code [from, to)} as signed batches of {@code batchSize}. */
    public List<SubmitRequest> batches(int from, int to, int batchSize) {
        List<SubmitRequest> out = new ArrayList<>();
        for (int i = from; i < to; i += batchSize) {
            out.add(batch(i, Math.min(to, i + batchSize)));
        }
        return out;
    }

    /** A valid resident identity number (ISO 7064 MOD 11-2 check character), one of 100,000. */
    static String resident(int i) {
        String body = "110105" + "1980" + String.format("%02d%02d", 1 + (i / 1000) % 12, 1 + (i / 12000) % 28)
                + String.format("%03d", i % 1000);
        int sum = 0;
        for (int k = 0; k < 17; k++) {
            sum += (body.charAt(k) - '0') * WEIGHTS[k];
        }
        return body + CHECK.charAt(sum % 11);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).build();
    }
}
