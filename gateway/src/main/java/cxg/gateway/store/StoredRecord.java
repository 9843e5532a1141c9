package cxg.gateway.store;

import cxg.v1.RecordSubmission;
import java.time.Instant;

/** A record (good, warning or restriction information) as stored, with its proof of origin. */
public record StoredRecord(String platform, String itemId, RecordSubmission record, Instant receivedAt, StoredProof proof) {
}
