package cxg.scorer.submit;

/** The exit codes every cxg subcommand uses. */
final class ExitCodes {
    static final int OK = 0;
    static final int OTHER = 1;
    static final int USAGE = 2;
    static final int DENIED = 3;
    static final int UNAVAILABLE = 4;

    private ExitCodes() {
    }
}
