package cxg.bench.load;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Drives a {@link CallTarget} according to a {@link LoadSpec} and measures it. */
public final class LoadRunner {

    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** Beyond this many synchronous completions in a row the next call is handed to another thread. */
    private static final int MAX_DEPTH = 64;

    private final Clock clock;
    private final long drainTimeoutNanos;
    private final Progress progress;
    private final Duration every;

    private LoadRunner(Clock clock, long drainTimeoutNanos, Progress progress, Duration every) {
        this.clock = clock;
        this.drainTimeoutNanos = drainTimeoutNanos;
        this.progress = progress;
        this.every = every;
    }

    public LoadRunner(Clock clock, long drainTimeoutNanos) {
        this(clock, drainTimeoutNanos, null, null);
    }

    public LoadRunner() {
        this(Clock.SYSTEM, TimeUnit.SECONDS.toNanos(30));
    }

    /** The same runner, telling {@code progress} how far each run is every {@code every} while it lasts. */
    public LoadRunner withProgress(Progress progress, Duration every) {
        return new LoadRunner(clock, drainTimeoutNanos, java.util.Objects.requireNonNull(progress, "progress"),
                java.util.Objects.requireNonNull(every, "every"));
    }

    /** Runs the warm-up (discarded), then the measured run. */
    public LoadResult run(String label, LoadSpec spec, CallTarget target) {
        if (!spec.warmup().isZero()) {
            once(label + " (warm-up)", spec.warmupRun(), target);
        }
        return once(label, spec, target);
    }

    LoadResult once(String label, LoadSpec spec, CallTarget target) {
        Run run = new Run(spec, target);
        ScheduledExecutorService ticks = progress == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            if (ticks != null) {
                long started = clock.nanoTime();
                ticks.scheduleAtFixedRate(() -> progress.at(label, spec, (clock.nanoTime() - started) / 1e9,
                        run.ok.sum() + run.degraded.sum(), run.failed.sum()), every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
            }
            return spec.model() == LoadSpec.Model.CLOSED ? run.closed(label) : run.open(label);
        } finally {
            if (ticks != null) {
                stop(ticks);
            }
        }
    }

    /** No progress line after the run's result: waits out a tick already running. */
    private static void stop(ScheduledExecutorService ticks) {
        ticks.shutdownNow();
        try {
            ticks.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Run {
        private final LoadSpec spec;
        private final CallTarget target;
        private final Recorder recorder = new Recorder(MAX_LATENCY_NANOS, 3);
        /** Open model: how late after its due time each call went out (the load generator's own lag). */
        private final Recorder sendLag = new Recorder(MAX_LATENCY_NANOS, 3);
        /** Open model: latency from the actual send, which leaves the load generator's own lag out. */
        private final Recorder fromSend = new Recorder(MAX_LATENCY_NANOS, 3);
        private Timeline timeline;
        private final LongAdder ok = new LongAdder();
        private final LongAdder degraded = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> degradations = new ConcurrentHashMap<>();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong pending = new AtomicLong();
        private final AtomicLong lastCompletion = new AtomicLong(Long.MIN_VALUE);
        private final AtomicInteger activeChains = new AtomicInteger();
        private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
        private ExecutorService spill;
        private long start;
        private long end;

        Run(LoadSpec spec, CallTarget target) {
            this.spec = spec;
            this.target = target;
        }

        private void completed(long latencyNanos, CallTarget.Kind kind, String detail) {
            long now = clock.nanoTime();
            lastCompletion.accumulateAndGet(now, Math::max);
            switch (kind) {
                case OK -> ok.increment();
                case DEGRADED -> {
                    degraded.increment();
                    degradations.computeIfAbsent(String.valueOf(detail), k -> new LongAdder()).increment();
                }
                case FAILED -> {
                    failed.increment();
                    failures.computeIfAbsent(String.valueOf(detail), k -> new LongAdder()).increment();
                }
            }
            if (kind != CallTarget.Kind.FAILED) {
                recorder.recordValue(Math.min(Math.max(latencyNanos, 0), MAX_LATENCY_NANOS));
            }
            pending.decrementAndGet();
        }

        private boolean mayStart(long index, long dueNanos) {
            if (spec.requests() > 0 && index >= spec.requests()) {
                return false;
            }
            return spec.duration() == null || spec.duration().isZero() || dueNanos - end < 0;
        }

        LoadResult closed(String label) {
            spill = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bench-spill");
                t.setDaemon(true);
                return t;
            });
            try {
                start = clock.nanoTime();
                end = spec.duration() == null ? Long.MAX_VALUE : start + spec.duration().toNanos();
                activeChains.set(spec.concurrency());
                for (int i = 0; i < spec.concurrency(); i++) {
                    next();
                }
                drain(() -> activeChains.get() == 0 && pending.get() == 0);
                return result(label);
            } finally {
                spill.shutdownNow();
            }
        }

        /** One link of a closed-model chain: start the next call, or end the chain. */
        private void next() {
            long index = sent.getAndIncrement();
            long now = clock.nanoTime();
            if (!mayStart(index, now)) {
                sent.decrementAndGet();
                activeChains.decrementAndGet();
                return;
            }
            pending.incrementAndGet();
            target.call((kind, detail) -> {
                completed(clock.nanoTime() - now, kind, detail);
                int[] d = depth.get();
                if (d[0] >= MAX_DEPTH) {
                    spill.execute(this::next);
                    return;
                }
                d[0]++;
                try {
                    next();
                } finally {
                    d[0]--;
                }
            });
        }

        LoadResult open(String label) {
            Semaphore outstanding = new Semaphore(spec.maxOutstanding());
            long epochMillis = System.currentTimeMillis();
            start = clock.nanoTime();
            end = spec.duration() == null ? Long.MAX_VALUE : start + spec.duration().toNanos();
            long planned = spec.duration() != null && !spec.duration().isZero() ? spec.duration().toNanos()
                    : (long) (spec.requests() / spec.rate() * 1e9);
            timeline = new Timeline(epochMillis, start, planned);
            OpenSchedule schedule = new OpenSchedule(start, spec.rate());
            for (long i = 0; ; i++) {
                long due = schedule.intendedStart(i);
                if (!mayStart(i, due)) {
                    break;
                }
                clock.sleepUntil(due);
                outstanding.acquireUninterruptibly();
                long sentAt = clock.nanoTime();
                long lag = Math.min(Math.max(sentAt - due, 0), MAX_LATENCY_NANOS);
                sendLag.recordValue(lag);
                timeline.sent(due, lag);
                sent.incrementAndGet();
                pending.incrementAndGet();
                target.call((kind, detail) -> {
                    long now = clock.nanoTime();
                    long latency = OpenSchedule.correctedLatency(due, now);
                    if (kind != CallTarget.Kind.FAILED) {
                        timeline.completed(due, Math.min(latency, MAX_LATENCY_NANOS));
                        fromSend.recordValue(Math.min(Math.max(now - sentAt, 0), MAX_LATENCY_NANOS));
                    }
                    completed(latency, kind, detail);
                    outstanding.release();
                });
            }
            drain(() -> pending.get() == 0);
            timeline.finished(System.currentTimeMillis());
            return result(label);
        }

        /**
         * Waits for the calls still out. Gives up only when none has completed for the drain timeout: a
         * closed run drains from its start while its chains keep completing calls until its end.
         */
        private void drain(java.util.function.BooleanSupplier done) {
            long seen = completions();
            long deadline = System.nanoTime() + drainTimeoutNanos;
            while (!done.getAsBoolean()) {
                long now = System.nanoTime();
                long completions = completions();
                if (completions != seen) {
                    seen = completions;
                    deadline = now + drainTimeoutNanos;
                } else if (now - deadline > 0) {
                    throw new IllegalStateException(pending.get() + " calls did not complete within the drain timeout");
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for outstanding calls", e);
                }
            }
        }

        private long completions() {
            return ok.sum() + degraded.sum() + failed.sum();
        }

        private LoadResult result(String label) {
            Histogram h = recorder.getIntervalHistogram();
            long last = lastCompletion.get();
            double elapsed = last == Long.MIN_VALUE ? 0 : Math.max(0, last - start) / 1e9;
            return new LoadResult(label, spec, sent.get(), ok.sum(), degraded.sum(), failed.sum(),
                    snapshot(failures), snapshot(degradations), elapsed, h,
                    timeline == null ? null : sendLag.getIntervalHistogram(), timeline == null ? null : fromSend.getIntervalHistogram(), timeline);
        }

        private Map<String, Long> snapshot(Map<String, LongAdder> m) {
            Map<String, Long> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }
    }
}
