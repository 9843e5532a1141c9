package cxg.agency.cli;

/** Input refused before anything is sent, named by the option the user typed. */
final class BadOption extends Exception {
    final String flag;

    BadOption(String flag, String message) {
        super(message, null, false, false);
        this.flag = flag;
    }
}
