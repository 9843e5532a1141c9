package cxg.gateway.transport;

import java.util.Objects;
import java.util.function.Function;

/** Either a value or the {@link Failure} that prevented it: failures are returned, not thrown. */
public final class Outcome<T> {
    private final T value;
    private final Failure failure;

    private Outcome(T value, Failure failure) {
        this.value = value;
        this.failure = failure;
    }

    public static <T> Outcome<T> ok(T value) {
        return new Outcome<>(Objects.requireNonNull(value, "value"), null);
    }

    public static <T> Outcome<T> fail(Failure failure) {
        return new Outcome<>(null, Objects.requireNonNull(failure, "failure"));
    }

    public boolean isOk() {
        return failure == null;
    }

    /** @throws IllegalStateException if this is a failure */
    public T value() {
        if (failure != null) {
            throw new IllegalStateException("no value: " + failure.reason());
        }
        return value;
    }

    /** @throws IllegalStateException if this is a value */
    public Failure failure() {
        if (failure == null) {
            throw new IllegalStateException("not a failure");
        }
        return failure;
    }

    public <R> Outcome<R> map(Function<? super T, ? extends R> f) {
        return failure == null ? ok(f.apply(value)) : fail(failure);
    }

    @Override
    public String toString() {
        return failure == null ? "Outcome.ok" : "Outcome.fail[" + failure.reason() + "]";
    }
}
