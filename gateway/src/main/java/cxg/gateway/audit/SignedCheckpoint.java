package cxg.gateway.audit;

import java.time.Instant;

/** A checkpoint as signed by the gateway: tree size, root, the signed note, and when it was signed. */
public record SignedCheckpoint(long size, byte[] rootHash, String note, Instant signedAt) {
}
