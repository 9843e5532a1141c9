package cxg.gateway.store;

import cxg.v1.RatingSubmission;
import java.time.Instant;

/** A rating as stored: the platform's submission, when the gateway received it, and its proof of origin. */
public record StoredRating(String platform, String itemId, RatingSubmission rating, Instant receivedAt, StoredProof proof) {
}
