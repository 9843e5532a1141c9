package cxg.gateway.store;

/** What the store did with one item of a write. */
public enum WriteOutcome {
    /** Stored now, committed with its batch. */
    ACCEPTED,
    /** The same platform stored this id with identical content before: nothing changed. */
    DUPLICATE,
    /** The same platform stored this id with different content: nothing changed. */
    CONFLICT,
    /** A lift names a record this platform never stored: nothing changed. */
    NO_SUCH_RECORD
}
