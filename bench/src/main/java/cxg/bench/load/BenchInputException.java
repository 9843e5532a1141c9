package cxg.bench.load;

/** A user mistake on the command line; the message names the option and is shown without a stack trace. */
public final class BenchInputException extends RuntimeException {

    public BenchInputException(String message) {
        super(message);
    }
}
