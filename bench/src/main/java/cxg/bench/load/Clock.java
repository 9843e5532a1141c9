package cxg.bench.load;

import java.util.concurrent.locks.LockSupport;

/** Time source of a run; tests substitute a manual clock to check the latency accounting exactly. */
public interface Clock {

    long nanoTime();

    /** Returns no earlier than {@code deadlineNanos} (by this clock). */
    void sleepUntil(long deadlineNanos);

    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadlineNanos) {
            long left;
            while ((left = deadlineNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }
    };
}
