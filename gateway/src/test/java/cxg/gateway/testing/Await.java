package cxg.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something a test started in the background to become true, or fails naming it. */
public final class Await {

    private Await() {
    }

    public static void until(String what, Duration timeout, Duration poll, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
