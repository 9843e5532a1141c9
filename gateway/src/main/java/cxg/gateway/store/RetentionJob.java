package cxg.gateway.store;

import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.policy.Retention;
import java.time.InstantSource;
import java.time.Instant;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Ends the keeping of submissions that are no longer served: ratings and records expired
 * longer ago than policy's {@code retention.afterExpiry}, records lifted longer ago than
 * {@code retention.afterLift} (with their lifts). The gateway runs it on a schedule; the
 * operator can run it on demand ({@code ./cxg store purge}). Says how many items it removed.
 */
public final class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final SubmissionStore store;
    private final PolicyRepository policies;
    private final InstantSource clock;

    public RetentionJob(SubmissionStore store, PolicyRepository policies, InstantSource clock) {
        this.store = Objects.requireNonNull(store);
        this.policies = Objects.requireNonNull(policies);
        this.clock = Objects.requireNonNull(clock);
    }

    public SubmissionStore.Removed run() {
        Retention retention = policies.current().retention();
        Instant now = clock.instant();
        Instant expiredBefore = now.minus(retention.afterExpiry());
        Instant liftedBefore = now.minus(retention.afterLift());
        SubmissionStore.Removed removed = store.deleteEnded(expiredBefore, liftedBefore);
        LOG.infof("retention: removed %d items (%d ratings, %d records expired before %s or lifted before %s, %d lifts)"
                        + " and %d batch signatures that covered only those",
                removed.total(), removed.ratings(), removed.records(), expiredBefore, liftedBefore, removed.lifts(),
                removed.batchSignatures());
        return removed;
    }
}
