package cxg.gateway.identity;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of checking a call's bearer token: the verified token, or why it was refused.
 * {@code problem} is written for the caller (it becomes the UNAUTHENTICATED description) and never
 * contains the token itself.
 */
public record TokenCheck(VerifiedToken token, String problem) {

    public TokenCheck {
        if ((token == null) == (problem == null)) {
            throw new IllegalArgumentException("exactly one of token and problem");
        }
    }

    public static TokenCheck accepted(VerifiedToken token) {
        return new TokenCheck(Objects.requireNonNull(token), null);
    }

    public static TokenCheck refused(String problem) {
        return new TokenCheck(null, Objects.requireNonNull(problem));
    }

    public boolean isAccepted() {
        return token != null;
    }

    public Optional<String> refusal() {
        return Optional.ofNullable(problem);
    }
}
