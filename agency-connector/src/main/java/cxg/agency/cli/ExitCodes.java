package cxg.agency.cli;

import cxg.agency.gateway.FailureKind;

/** The exit codes every cxg subcommand shares, and the one mapping from failures to them. */
final class ExitCodes {

    static final int OK = 0;
    static final int OTHER = 1;
    static final int USAGE = 2;
    static final int DENIED = 3;
    static final int UNAVAILABLE = 4;

    private ExitCodes() {
    }

    static int of(FailureKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT, CREDENTIALS -> USAGE;
            case UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED -> DENIED;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE;
            case INTERNAL -> OTHER;
        };
    }
}
