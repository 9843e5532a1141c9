package cxg.gateway.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Who vouched for a stored item: the platform's Ed25519 signature over the item's payload,
 * or, for an item that came in a signed batch, the batch signature over the concatenated
 * SHA-256 hashes of the batch's payloads together with those hashes and the item's index.
 * Either way the item's origin is provable on its own.
 */
public record StoredProof(byte[] itemSignature, byte[] batchSignature, List<byte[]> batchHashes, int batchIndex) {

    public static StoredProof ofItem(byte[] signature) {
        return new StoredProof(signature.clone(), null, List.of(), -1);
    }

    public static StoredProof ofBatch(byte[] batchSignature, List<byte[]> batchHashes, int index) {
        return new StoredProof(null, batchSignature.clone(), List.copyOf(batchHashes), index);
    }

    public boolean isBatch() {
        return batchSignature != null;
    }

    /** The bytes the signature covers besides the payload itself: the concatenated batch hashes. */
    public byte[] batchHashBytes() {
        byte[] out = new byte[batchHashes.size() * 32];
        for (int i = 0; i < batchHashes.size(); i++) {
            System.arraycopy(batchHashes.get(i), 0, out, i * 32, 32);
        }
        return out;
    }

    static List<byte[]> splitHashes(byte[] concatenated) {
        List<byte[]> out = new ArrayList<>(concatenated.length / 32);
        for (int i = 0; i + 32 <= concatenated.length; i += 32) {
            byte[] h = new byte[32];
            System.arraycopy(concatenated, i, h, 0, 32);
            out.add(h);
        }
        return out;
    }
}
