package cxg.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A clock that only moves when told to: sleeping jumps to the deadline, calls take simulated time. */
    static final class ManualClock implements Clock {
        final AtomicLong now = new AtomicLong(1_000 * MS);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void sleepUntil(long deadlineNanos) {
            now.accumulateAndGet(deadlineNanos, Math::max);
        }

        void advance(long nanos) {
            now.addAndGet(nanos);
        }
    }

    @Test
    void openModelChargesAStallToEveryCallThatWasDueDuringIt() {
        ManualClock clock = new ManualClock();
        AtomicInteger calls = new AtomicInteger();
        // the first call blocks the sender for 100 ms (as a stalled server or a GC pause would);
        // every other call is answered instantly
        CallTarget target = done -> {
            if (calls.getAndIncrement() == 0) {
                clock.advance(100 * MS);
            }
            done.done(CallTarget.Kind.OK, null);
        };
        LoadResult r = new LoadRunner(clock, TimeUnit.SECONDS.toNanos(1))
                .run("stall", LoadSpec.open(1000, 10_000, 300, null, Duration.ZERO), target);

        assertEquals(300, r.ok());
        // call i was due at i ms but could only go out at 100 ms: it waited 100 - i ms
        assertEquals(100_000, r.maxMicros(), 100);
        long waitedOver50ms = 0;
        for (int i = 0; i <= 100; i++) {
            waitedOver50ms += 100 - i > 50 ? 1 : 0;
        }
        assertEquals(waitedOver50ms, r.histogramNanos().getCountBetweenValues(50 * MS + MS / 2, 200 * MS), 1);
        // 200 calls waited 0, the others 1..100 ms: the 90th percentile is the 70th of those
        assertEquals(70_000, r.percentileMicros(90), 100);
        // the stall held the sender itself: the report sees it as the load generator's send lag, in the first 100 ms slice
        assertEquals(99_000, r.sendLagMicros(100), 100);
        java.util.List<Timeline.Stall> stalls = r.timeline().stalls(50 * MS);
        assertEquals(1, stalls.size());
        assertEquals(Timeline.BUCKET_MILLIS, stalls.get(0).endEpochMillis() - stalls.get(0).startEpochMillis());
        assertEquals(99 * MS, stalls.get(0).maxSendLagNanos(), MS / 10);
        // counted from the actual send, the calls held behind the first one took no time: that view leaves the lag out
        assertEquals(0, r.fromSendMicros(90), 1);
    }

    @Test
    void aServerThatStallsWhileTheSenderKeepsTimeShowsLatencyWithoutSendLag() {
        ManualClock clock = new ManualClock();
        long start = clock.nanoTime();
        java.util.List<CallTarget.Completion> held = new java.util.ArrayList<>();
        // the server answers nothing that arrives in its first 150 ms until then; the sender is never held
        CallTarget target = done -> {
            held.add(done);
            if (clock.nanoTime() - start >= 150 * MS) {
                held.forEach(d -> d.done(CallTarget.Kind.OK, null));
                held.clear();
            }
        };
        LoadResult r = new LoadRunner(clock, TimeUnit.SECONDS.toNanos(1))
                .run("server stall", LoadSpec.open(1000, 10_000, 400, null, Duration.ZERO), target);

        assertEquals(400, r.ok());
        assertEquals(150_000, r.maxMicros(), 100);
        assertEquals(0, r.sendLagMicros(100), 1);
        assertEquals(150_000, r.fromSendMicros(100), 100, "a stall of the server is in both views");
        // calls due in the first two 100 ms slices waited, up to 150 ms and up to 50 ms
        java.util.List<Timeline.Stall> stalls = r.timeline().stalls(20 * MS);
        assertEquals(1, stalls.size());
        assertEquals(2 * Timeline.BUCKET_MILLIS, stalls.get(0).endEpochMillis() - stalls.get(0).startEpochMillis());
        assertEquals(150 * MS, stalls.get(0).maxLatencyNanos(), MS / 10);
        assertEquals(0, stalls.get(0).maxSendLagNanos());
    }

    @Test
    void closedRunLongerThanTheDrainTimeoutEndsNormally() {
        java.util.concurrent.ScheduledExecutorService server = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            CallTarget target = done -> server.schedule(() -> done.done(CallTarget.Kind.OK, null), 1, TimeUnit.MILLISECONDS);
            LoadResult r = new LoadRunner(Clock.SYSTEM, TimeUnit.MILLISECONDS.toNanos(200))
                    .run("long", LoadSpec.closed(4, 0, Duration.ofMillis(800), Duration.ZERO), target);

            assertTrue(r.ok() > 100, "calls kept completing for the whole run: " + r.ok());
            assertEquals(0, r.failed());
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void saysHowFarALongRunIsWhileItLastsAndNotAfter() throws InterruptedException {
        java.util.concurrent.ScheduledExecutorService server = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.List<long[]> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            CallTarget target = done -> server.schedule(() -> done.done(CallTarget.Kind.OK, null), 1, TimeUnit.MILLISECONDS);
            LoadResult r = new LoadRunner(Clock.SYSTEM, TimeUnit.SECONDS.toNanos(1))
                    .withProgress((label, spec, seconds, answered, failed) -> told.add(new long[] {Math.round(seconds * 1000), answered, failed}),
                            Duration.ofMillis(100))
                    .run("long", LoadSpec.closed(4, 0, Duration.ofMillis(700), Duration.ZERO), target);
            int afterTheRun = told.size();
            Thread.sleep(300);

            assertTrue(afterTheRun >= 3, "told every 100 ms of a 700 ms run: " + afterTheRun + " times");
            assertEquals(afterTheRun, told.size(), "nothing told once the run returned");
            for (int i = 1; i < told.size(); i++) {
                assertTrue(told.get(i)[0] > told.get(i - 1)[0] && told.get(i)[1] >= told.get(i - 1)[1], "time and calls only grow");
            }
            assertTrue(told.get(told.size() - 1)[1] <= r.ok() && told.get(told.size() - 1)[1] > 0, "calls answered so far");
            assertEquals(0, told.get(0)[2]);
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void callThatNeverCompletesFailsTheDrainAfterTheTimeout() {
        CallTarget silent = done -> { };
        LoadRunner runner = new LoadRunner(Clock.SYSTEM, TimeUnit.MILLISECONDS.toNanos(200));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runner.run("stuck", LoadSpec.closed(2, 0, Duration.ofMillis(100), Duration.ZERO), silent));
        assertTrue(e.getMessage().startsWith("2 calls did not complete"), e.getMessage());
    }

    @Test
    void closedModelMeasuresFromTheActualSendAndKeepsTheConcurrency() {
        ManualClock clock = new ManualClock();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        java.util.List<CallTarget.Completion> waiting = new java.util.ArrayList<>();
        CallTarget target = done -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            waiting.add(done);
        };
        LoadRunner runner = new LoadRunner(clock, TimeUnit.SECONDS.toNanos(1));
        Thread answerer = new Thread(() -> {
            // answer the calls four at a time, each batch after 2 ms of simulated time
            int answered = 0;
            while (answered < 40) {
                java.util.List<CallTarget.Completion> batch;
                synchronized (waiting) {
                    if (waiting.size() < 4) {
                        Thread.onSpinWait();
                        continue;
                    }
                    batch = new java.util.ArrayList<>(waiting);
                    waiting.clear();
                }
                clock.advance(2 * MS);
                for (CallTarget.Completion d : batch) {
                    inFlight.decrementAndGet();
                    d.done(CallTarget.Kind.OK, null);
                    answered++;
                }
            }
        });
        CallTarget synced = done -> {
            synchronized (waiting) {
                target.call(done);
            }
        };
        answerer.setDaemon(true);
        answerer.start();
        LoadResult r = runner.run("closed", LoadSpec.closed(4, 40, null, Duration.ZERO), synced);

        assertEquals(40, r.sent());
        assertEquals(40, r.ok());
        assertEquals(4, maxInFlight.get());
        assertEquals(2_000, r.percentileMicros(50), 10);
        assertEquals(2_000, r.maxMicros(), 10);
    }

    @Test
    void countsFailuresAndDegradedAnswersApartFromLatency() {
        ManualClock clock = new ManualClock();
        AtomicInteger n = new AtomicInteger();
        CallTarget target = done -> {
            int i = n.getAndIncrement();
            clock.advance(MS);
            if (i % 10 == 0) {
                done.done(CallTarget.Kind.FAILED, "UNAVAILABLE");
            } else if (i % 10 == 1) {
                done.done(CallTarget.Kind.DEGRADED, "beta-score:TIMEOUT");
            } else {
                done.done(CallTarget.Kind.OK, null);
            }
        };
        LoadResult r = new LoadRunner(clock, TimeUnit.SECONDS.toNanos(1))
                .run("mixed", LoadSpec.closed(1, 1000, null, Duration.ZERO), target);

        assertEquals(1000, r.sent());
        assertEquals(800, r.ok());
        assertEquals(100, r.degraded());
        assertEquals(100, r.failed());
        assertEquals(100L, r.failures().get("UNAVAILABLE"));
        assertEquals(100L, r.degradations().get("beta-score:TIMEOUT"));
        assertEquals(900, r.histogramNanos().getTotalCount());
        assertTrue(!r.clean());
    }

    @Test
    void aRunMustBeBounded() {
        BenchInputException e = assertThrows(BenchInputException.class,
                () -> LoadSpec.closed(1, 0, null, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("--requests or --duration"));
        assertThrows(BenchInputException.class, () -> LoadSpec.open(0, 10, 10, null, Duration.ZERO));
    }
}
