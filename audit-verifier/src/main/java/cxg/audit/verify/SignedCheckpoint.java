package cxg.audit.verify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A C2SP tlog-checkpoint in a C2SP signed note, checked against an Ed25519 verifier key in the
 * golang.org/x/mod/sumdb/note encoding {@code <name>+<hex key id>+<base64(0x01 ‖ public key)>}.
 */
record SignedCheckpoint(String origin, long size, byte[] root, String note) {

    /** Thrown when the note is malformed or its signature does not verify; the message says which. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** A verifier key, decoded and checked against its own id. */
    private record Key(String name, String id, byte[] publicKey, byte[] idBytes) {
    }

    /** Checks that {@code verifierKey} is a well-formed Ed25519 note verifier key whose id matches; the message names what is wrong. */
    static void checkKey(String verifierKey) throws Invalid {
        key(verifierKey);
    }

    private static Key key(String verifierKey) throws Invalid {
        String[] key = verifierKey.trim().split("\\+", 3);
        if (key.length != 3) {
            throw new Invalid("key: not a note verifier key (name+id+base64 key)");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key[2]);
        } catch (IllegalArgumentException e) {
            throw new Invalid("key: not base64");
        }
        if (raw.length != 33 || raw[0] != 0x01) {
            throw new Invalid("key: not an Ed25519 key");
        }
        byte[] pub = Arrays.copyOfRange(raw, 1, 33);
        byte[] id = keyId(key[0], pub);
        if (!String.format("%08x", java.nio.ByteBuffer.wrap(id).getInt()).equals(key[1])) {
            throw new Invalid("key: its id does not match its name and public key");
        }
        return new Key(key[0], key[1], pub, id);
    }

    static SignedCheckpoint verify(String note, String verifierKey) throws Invalid {
        Key k = key(verifierKey);
        byte[] pub = k.publicKey();
        byte[] id = k.idBytes();
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new Invalid("checkpoint: no signature block");
        }
        String text = note.substring(0, split + 1);
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        boolean signed = false;
        String prefix = "\u2014 " + k.name() + " ";
        for (String line : note.substring(split + 2).split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            byte[] blob;
            try {
                blob = Base64.getDecoder().decode(line.substring(prefix.length()).trim());
            } catch (IllegalArgumentException e) {
                throw new Invalid("checkpoint signature: not base64");
            }
            if (blob.length != 68 || !MessageDigest.isEqual(Arrays.copyOf(blob, 4), id)) {
                continue;
            }
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, new Ed25519PublicKeyParameters(pub, 0));
            v.update(msg, 0, msg.length);
            if (!v.verifySignature(Arrays.copyOfRange(blob, 4, 68))) {
                throw new Invalid("checkpoint signature: does not verify with key " + k.name() + "+" + k.id());
            }
            signed = true;
        }
        if (!signed) {
            throw new Invalid("checkpoint signature: not signed by key " + k.name() + "+" + k.id());
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 4 || lines[0].isEmpty() || !lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new Invalid("checkpoint: body is not origin, size, root hash");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new Invalid("checkpoint: root hash is not base64");
        }
        if (root.length != 32) {
            throw new Invalid("checkpoint: root hash is not 32 bytes");
        }
        return new SignedCheckpoint(lines[0], Long.parseLong(lines[1]), root, note);
    }

    static byte[] keyId(String name, byte[] publicKey) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[nameBytes.length + 2 + publicKey.length];
        System.arraycopy(nameBytes, 0, buf, 0, nameBytes.length);
        buf[nameBytes.length] = 0x0A;
        buf[nameBytes.length + 1] = 0x01;
        System.arraycopy(publicKey, 0, buf, nameBytes.length + 2, publicKey.length);
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(buf), 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
