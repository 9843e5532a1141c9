package cxg.gateway.query;

import cxg.gateway.subject.SubjectId;
import cxg.v1.RecordSubmission;
import java.time.Instant;
import java.util.List;

/**
 * Records platforms submitted about a subject that are in force at {@code now}: never a lifted
 * or an expired one, so that a lift answers "no" at the next check.
 */
@FunctionalInterface
public interface StoredRestrictions {

    List<RecordSubmission> inForce(SubjectId subject, Instant now);
}
