package cxg.bench.load;

/** One kind of call the load tool can send; implementations must not block the caller. */
public interface CallTarget {

    /** Starts one call; {@code done} is invoked exactly once, on any thread, when it has finished. */
    void call(Completion done);

    /** How a call ended. */
    enum Kind {
        /** answered, and every platform answered OK */
        OK,
        /** answered, but some platform's status was not OK (e.g. UNAVAILABLE, TIMEOUT) */
        DEGRADED,
        /** the call itself failed with a gRPC error */
        FAILED
    }

    @FunctionalInterface
    interface Completion {
        /** @param detail the gRPC status code (FAILED) or platform status (DEGRADED); null when OK */
        void done(Kind kind, String detail);
    }
}
