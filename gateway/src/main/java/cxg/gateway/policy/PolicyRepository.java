package cxg.gateway.policy;

/** Gives the current, last-good policy snapshot; reloads swap it atomically. */
public interface PolicyRepository {
    PolicySet current();
}
