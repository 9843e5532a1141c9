package cxg.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An Ed25519 key that signs C2SP signed notes. Keys are written in the encodings of
 * golang.org/x/mod/sumdb/note, which transparency-log tools read:
 * signer {@code PRIVATE+KEY+<name>+<id>+<base64(0x01‖seed)>}, verifier {@code <name>+<id>+<base64(0x01‖public key)>},
 * where id is the hex key ID SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
 */
public final class NoteSigner {

    private static final byte ED25519 = 0x01;

    private final String name;
    private final Ed25519PrivateKeyParameters key;
    private final byte[] keyId;

    private NoteSigner(String name, Ed25519PrivateKeyParameters key) {
        if (name.isEmpty() || name.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '+')) {
            throw new IllegalArgumentException("key name must be non-empty without spaces or '+'");
        }
        this.name = name;
        this.key = key;
        this.keyId = keyId(name, key.generatePublicKey().getEncoded());
    }

    public static NoteSigner generate(String name) {
        return new NoteSigner(name, new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    /** Parses a {@code PRIVATE+KEY+...} signer key. */
    public static NoteSigner parse(String encoded) {
        String[] parts = encoded.trim().split("\\+", 5);
        if (parts.length != 5 || !parts[0].equals("PRIVATE") || !parts[1].equals("KEY")) {
            throw new IllegalArgumentException("not a note signer key (PRIVATE+KEY+name+id+key)");
        }
        byte[] raw = Base64.getDecoder().decode(parts[4]);
        if (raw.length != 33 || raw[0] != ED25519) {
            throw new IllegalArgumentException("signer key is not an Ed25519 key");
        }
        NoteSigner s = new NoteSigner(parts[2], new Ed25519PrivateKeyParameters(raw, 1));
        if (!HexFormat.of().formatHex(s.keyId).equals(parts[3])) {
            throw new IllegalArgumentException("signer key id does not match its key");
        }
        return s;
    }

    static byte[] keyId(String name, byte[] publicKey) {
        MessageDigest d = Merkle.sha256();
        d.update(name.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0x0A);
        d.update(ED25519);
        d.update(publicKey);
        byte[] id = new byte[4];
        System.arraycopy(d.digest(), 0, id, 0, 4);
        return id;
    }

    public String name() {
        return name;
    }

    public byte[] publicKey() {
        return key.generatePublicKey().getEncoded();
    }

    /** The verifier key to hand to auditors. */
    public String verifierKey() {
        return name + "+" + HexFormat.of().formatHex(keyId) + "+" + Base64.getEncoder().encodeToString(prefixed(publicKey()));
    }

    /** The signer key, to be written to a file readable only by the gateway. */
    public String encode() {
        return "PRIVATE+KEY+" + name + "+" + HexFormat.of().formatHex(keyId) + "+"
                + Base64.getEncoder().encodeToString(prefixed(key.getEncoded()));
    }

    private static byte[] prefixed(byte[] k) {
        byte[] out = new byte[k.length + 1];
        out[0] = ED25519;
        System.arraycopy(k, 0, out, 1, k.length);
        return out;
    }

    /** Signs {@code text} (which must end in a newline) and returns the whole signed note. */
    public String sign(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must end with a newline");
        }
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(msg, 0, msg.length);
        byte[] sig = signer.generateSignature();
        byte[] blob = new byte[4 + sig.length];
        System.arraycopy(keyId, 0, blob, 0, 4);
        System.arraycopy(sig, 0, blob, 4, sig.length);
        return text + "\n\u2014 " + name + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }

    /** Verifies a signed note against a verifier key; returns its text, or null when no valid signature of that key is present. */
    public static String verify(String note, String verifierKey) {
        String[] parts = verifierKey.trim().split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a note verifier key (name+id+key)");
        }
        byte[] raw = Base64.getDecoder().decode(parts[2]);
        if (raw.length != 33 || raw[0] != ED25519) {
            throw new IllegalArgumentException("verifier key is not an Ed25519 key");
        }
        Ed25519PublicKeyParameters pub = new Ed25519PublicKeyParameters(raw, 1);
        byte[] id = keyId(parts[0], pub.getEncoded());
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            return null;
        }
        String text = note.substring(0, split + 1);
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        for (String line : note.substring(split + 2).split("\n")) {
            String prefix = "\u2014 " + parts[0] + " ";
            if (!line.startsWith(prefix)) {
                continue;
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(line.substring(prefix.length()));
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (blob.length != 68 || !MessageDigest.isEqual(java.util.Arrays.copyOf(blob, 4), id)) {
                continue;
            }
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, pub);
            v.update(msg, 0, msg.length);
            if (!v.verifySignature(java.util.Arrays.copyOfRange(blob, 4, blob.length))) {
                return null;
            }
            verified = true;
        }
        return verified ? text : null;
    }

    @Override
    public String toString() {
        return "NoteSigner[" + verifierKey() + "]";
    }
}
