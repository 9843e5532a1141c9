package cxg.gateway.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys subjects in the audit log without their identifier: HMAC-SHA-256 under a gateway secret
 * (so nobody without the secret can test a guessed identifier), plus the masked form shown to
 * people ({@code 3101**********123X}).
 */
public final class SubjectHasher {

    /** A subject as the audit log holds it. */
    public record SubjectRef(String hmac, String masked) {
    }

    private final SecretKeySpec key;
    /** One keyed Mac per thread: looking up the provider and keying it took longer than the HMAC itself. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public SubjectHasher(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("subject HMAC secret must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** Reads the secret (base64) from {@code file}, creating a random one readable only by its owner when missing. */
    public static SubjectHasher loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            AuditKeys.writePrivate(file, Base64.getEncoder().encodeToString(secret) + "\n");
        }
        return new SubjectHasher(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim()));
    }

    public SubjectRef of(String identifier) {
        String id = normalise(identifier);
        return new SubjectRef(hmacOfNormalised(id), maskNormalised(id));
    }

    public String hmac(String identifier) {
        return hmacOfNormalised(normalise(identifier));
    }

    private String hmacOfNormalised(String id) {
        // doFinal leaves the Mac keyed and reset for the next identifier
        return HEX.formatHex(macs.get().doFinal(id.getBytes(StandardCharsets.UTF_8)));
    }

    private static final HexFormat HEX = HexFormat.of();

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** First 4 and last 4 characters, the rest as {@code *}; short values are masked whole. */
    public static String mask(String identifier) {
        return maskNormalised(normalise(identifier));
    }

    /** Written into one array: every audit entry of a query masks its subject (was two substrings, a repeat and a concatenation). */
    private static String maskNormalised(String id) {
        int n = id.length();
        char[] masked = new char[n];
        Arrays.fill(masked, '*');
        if (n > 8) {
            id.getChars(0, 4, masked, 0);
            id.getChars(n - 4, n, masked, n - 4);
        }
        return new String(masked);
    }

    private static String normalise(String identifier) {
        return identifier.trim().toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "SubjectHasher[secret hidden]";
    }
}
