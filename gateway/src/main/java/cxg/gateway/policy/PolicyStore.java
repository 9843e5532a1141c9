package cxg.gateway.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The last good policy set of a directory, reloaded when the directory's files change.
 * A changed set is validated whole and swapped atomically; a broken one never replaces the
 * good one: its errors are kept for the health check until a good set loads again.
 * Plain Java so that reload behaviour is testable without Quarkus.
 */
public final class PolicyStore implements PolicyRepository {

    /** What the store currently serves and what its last reload attempt found. */
    public record Status(Instant loadedAt, String fingerprint, Optional<Instant> failedAt, List<PolicyError> lastErrors) {
        public Status {
            lastErrors = List.copyOf(lastErrors);
        }

        public Optional<String> lastError() {
            return lastErrors.isEmpty() ? Optional.empty()
                    : Optional.of(lastErrors.stream().map(PolicyError::toString).collect(Collectors.joining("\n")));
        }
    }

    private record State(PolicySet set, Status status, String attempted) {}

    private final Path dir;
    private final PolicyLoader loader;
    private final Clock clock;
    private final AtomicReference<State> state;

    private PolicyStore(Path dir, PolicyLoader loader, Clock clock, State initial) {
        this.dir = dir;
        this.loader = loader;
        this.clock = clock;
        this.state = new AtomicReference<>(initial);
    }

    /** Loads {@code dir}; a broken set at start-up is an {@link InvalidPolicyException} listing every error. */
    public static PolicyStore open(Path dir, PolicyLoader loader, Clock clock) {
        String fingerprint = fingerprint(dir);
        PolicyLoader.Result result = loader.load(dir);
        if (!result.ok()) {
            throw new InvalidPolicyException(dir, result.errors());
        }
        Status status = new Status(clock.instant(), fingerprint, Optional.empty(), List.of());
        return new PolicyStore(dir, loader, clock, new State(result.policySet().orElseThrow(), status, fingerprint));
    }

    @Override
    public PolicySet current() {
        return state.get().set();
    }

    public Status status() {
        return state.get().status();
    }

    public Path directory() {
        return dir;
    }

    /**
     * Reloads when the files differ from the last attempt. Returns the errors of a failed
     * reload (the good set stays), or an empty list when nothing changed or the swap happened.
     */
    public synchronized List<PolicyError> reloadIfChanged() {
        State before = state.get();
        String fingerprint = fingerprint(dir);
        if (fingerprint.equals(before.attempted())) {
            return List.of();
        }
        PolicyLoader.Result result = loader.load(dir);
        Instant now = clock.instant();
        if (result.ok()) {
            state.set(new State(result.policySet().orElseThrow(), new Status(now, fingerprint, Optional.empty(), List.of()),
                    fingerprint));
            return List.of();
        }
        Status kept = new Status(before.status().loadedAt(), before.status().fingerprint(), Optional.of(now), result.errors());
        state.set(new State(before.set(), kept, fingerprint));
        return result.errors();
    }

    /** SHA-256 over the policy files' names and contents (missing files count too). */
    static String fingerprint(Path dir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String file : PolicyLoader.FILES) {
                sha.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                try {
                    byte[] content = Files.readAllBytes(dir.resolve(file));
                    sha.update(Integer.toString(content.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    sha.update((byte) 0);
                    sha.update(content);
                } catch (NoSuchFileException e) {
                    sha.update((byte) 1);
                } catch (IOException e) {
                    sha.update((byte) 2);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A policy directory that does not validate; the message lists every {@code file:line: message}. */
    public static final class InvalidPolicyException extends RuntimeException {
        private final transient List<PolicyError> errors;

        public InvalidPolicyException(Path dir, List<PolicyError> errors) {
            super("policy set in " + dir + " is invalid:\n" + errors.stream().map(PolicyError::toString)
                    .collect(Collectors.joining("\n")));
            this.errors = List.copyOf(errors);
        }

        public List<PolicyError> errors() {
            return errors;
        }
    }
}
