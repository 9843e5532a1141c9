package cxg.audit.verify;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A small audit log for the verifier's tests: entries, their RFC 6962 audit paths and consistency proofs (RFC 6962
 * §2.1.1 and §2.1.2, written from the RFC's recursive definitions over the verifier's own hashing), checkpoints signed
 * as C2SP signed notes, and exports in the {@code cxg-audit-export/v1} format (audit-verifier/README.md).
 */
final class TestLog {

    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final String origin;
    private final List<byte[]> entries = new ArrayList<>();

    TestLog(String origin, int size) {
        this.origin = origin;
        for (int i = 0; i < size; i++) {
            entries.add(("{\"outcome\":\"OK\",\"request\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    byte[] entry(int index) {
        return entries.get(index).clone();
    }

    private List<byte[]> leaves(int from, int to) {
        return entries.subList(from, to).stream().map(Rfc6962::leaf).toList();
    }

    byte[] root(int size) {
        return Rfc6962.root(leaves(0, size));
    }

    /** {@code PATH(index, D[0:size])}, deepest sibling first, each hash in base64. */
    List<String> inclusionProof(int index, int size) {
        return encode(path(index, 0, size));
    }

    private List<byte[]> path(int m, int from, int to) {
        int n = to - from;
        List<byte[]> out = new ArrayList<>();
        if (n <= 1) {
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m < k) {
            out.addAll(path(m, from, from + k));
            out.add(Rfc6962.root(leaves(from + k, to)));
        } else {
            out.addAll(path(m - k, from + k, to));
            out.add(Rfc6962.root(leaves(from, from + k)));
        }
        return out;
    }

    /** {@code PROOF(from, D[0:to])}, each hash in base64. */
    List<String> consistencyProof(int from, int to) {
        return encode(subproof(from, 0, to, true));
    }

    private List<byte[]> subproof(int m, int from, int to, boolean whole) {
        int n = to - from;
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!whole) {
                out.add(Rfc6962.root(leaves(from, to)));
            }
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            out.addAll(subproof(m, from, from + k, whole));
            out.add(Rfc6962.root(leaves(from + k, to)));
        } else {
            out.addAll(subproof(m - k, from + k, to, false));
            out.add(Rfc6962.root(leaves(from, from + k)));
        }
        return out;
    }

    /** The checkpoint's text before its signatures: origin, tree size, base64 root. */
    String checkpointBody(int size) {
        return origin + "\n" + size + "\n" + B64.encodeToString(root(size)) + "\n";
    }

    /**
     * An export of the checkpoint of {@code size} signed by {@code signer}, with the entries at {@code indices} and
     * consistency proofs from each of {@code consistencyFrom} to {@code size}. Compact JSON, one member per field.
     */
    String export(Signer signer, int size, List<Integer> indices, List<Integer> consistencyFrom) {
        StringBuilder s = new StringBuilder("{\"format\":\"cxg-audit-export/v1\",\"checkpoint\":")
                .append(jsonString(signer.sign(checkpointBody(size)))).append(",\"entries\":[");
        for (int i = 0; i < indices.size(); i++) {
            int index = indices.get(i);
            s.append(i == 0 ? "" : ",").append("{\"index\":").append(index).append(",\"data\":\"").append(B64.encodeToString(entries.get(index)))
                    .append("\",\"proof\":").append(jsonStrings(inclusionProof(index, size))).append('}');
        }
        s.append("],\"consistency\":[");
        for (int i = 0; i < consistencyFrom.size(); i++) {
            int from = consistencyFrom.get(i);
            s.append(i == 0 ? "" : ",").append("{\"from\":").append(from).append(",\"to\":").append(size)
                    .append(",\"proof\":").append(jsonStrings(consistencyProof(from, size))).append('}');
        }
        return s.append("]}").toString();
    }

    static String jsonStrings(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (String v : values) {
            s.append(s.length() == 1 ? "" : ",").append(jsonString(v));
        }
        return s.append(']').toString();
    }

    private static String jsonString(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** {@code hash} (base64) with one bit of its first byte flipped. */
    static String flipped(String hash) {
        byte[] h = Base64.getDecoder().decode(hash);
        h[0] ^= 1;
        return B64.encodeToString(h);
    }

    static List<byte[]> decode(List<String> hashes) {
        return hashes.stream().map(Base64.getDecoder()::decode).toList();
    }

    private static List<String> encode(List<byte[]> hashes) {
        return hashes.stream().map(B64::encodeToString).toList();
    }

    /** An Ed25519 note signer and its verifier key {@code <name>+<id>+<base64(0x01 ‖ public key)>}. */
    record Signer(String name, String id, Ed25519PrivateKeyParameters key, byte[] keyId) {

        static Signer generate(String name) {
            Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
            byte[] keyId = SignedCheckpoint.keyId(name, key.generatePublicKey().getEncoded());
            return new Signer(name, String.format("%08x", java.nio.ByteBuffer.wrap(keyId).getInt()), key, keyId);
        }

        String verifierKey() {
            byte[] pub = key.generatePublicKey().getEncoded();
            byte[] typed = new byte[33];
            typed[0] = 0x01;
            System.arraycopy(pub, 0, typed, 1, 32);
            return name + "+" + id + "+" + B64.encodeToString(typed);
        }

        /** The signed note: {@code body}, a blank line, and this key's signature line. */
        String sign(String body) {
            byte[] text = body.getBytes(StandardCharsets.UTF_8);
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, key);
            signer.update(text, 0, text.length);
            byte[] blob = new byte[68];
            System.arraycopy(keyId, 0, blob, 0, 4);
            System.arraycopy(signer.generateSignature(), 0, blob, 4, 64);
            return body + "\n\u2014 " + name + " " + B64.encodeToString(blob) + "\n";
        }
    }
}
