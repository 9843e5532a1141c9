package cxg.gateway.identity;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of checking a call's bearer token: the verified token, or why it was refused.
 * {@code problem} is written for the caller (it becomes the UNAUTHENTICATED description) and never
 * contains the token itself; {@code rule} names the failed check for the audit log, e.g.
 * {@code token-binding} or {@code token-lifetime}.
 */
public record TokenCheck(VerifiedToken token, String rule, String problem) {

    public TokenCheck {
        if ((token == null) == (problem == null) || (problem == null) != (rule == null)) {
            throw new IllegalArgumentException("either a token, or a rule and a problem");
        }
    }

    public static TokenCheck accepted(VerifiedToken token) {
        return new TokenCheck(Objects.requireNonNull(token), null, null);
    }

    public static TokenCheck refused(String rule, String problem) {
        return new TokenCheck(null, Objects.requireNonNull(rule), Objects.requireNonNull(problem));
    }

    public boolean isAccepted() {
        return token != null;
    }

    public Optional<String> refusal() {
        return Optional.ofNullable(problem);
    }
}
