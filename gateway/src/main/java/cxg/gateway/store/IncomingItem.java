package cxg.gateway.store;

import cxg.v1.SubmissionItem;
import java.util.Objects;

/**
 * A verified, validated item ready to be written: the exact signed payload bytes, their
 * SHA-256 (the content hash that decides duplicate versus conflict) and the parsed item.
 * {@code signature} is the item's own signature, or null when it came in a signed batch at
 * {@code batchIndex}.
 */
public record IncomingItem(SubmissionItem item, byte[] payload, byte[] contentHash, byte[] signature, int batchIndex) {

    public IncomingItem {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(payload, "payload");
        if (contentHash == null || contentHash.length != 32) {
            throw new IllegalArgumentException("contentHash must be a SHA-256");
        }
    }

    public String itemId() {
        return item.getItemId();
    }
}
