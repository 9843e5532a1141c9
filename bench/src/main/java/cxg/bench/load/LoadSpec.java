package cxg.bench.load;

import java.time.Duration;

/**
 * What one run does. Closed model: {@code concurrency} calls outstanding at all times, each
 * completion starts the next. Open model: calls start at {@code rate} per second on a fixed
 * schedule regardless of completions (at most {@code maxOutstanding} in flight). A run stops
 * after {@code requests} calls or after {@code duration}, whichever is set (both: the earlier).
 * A warm-up of the same shape runs first and is not counted.
 */
public record LoadSpec(Model model, int concurrency, double rate, int maxOutstanding,
                       long requests, Duration duration, Duration warmup) {

    public enum Model { CLOSED, OPEN }

    public LoadSpec {
        if (model == Model.CLOSED && (concurrency < 1 || concurrency > 10_000)) {
            throw new BenchInputException("--concurrency: must be 1-10000");
        }
        if (model == Model.OPEN && !(rate > 0)) {
            throw new BenchInputException("--rate: must be above 0 requests/s");
        }
        if (maxOutstanding < 1) {
            throw new BenchInputException("--max-outstanding: must be at least 1");
        }
        if (requests < 0) {
            throw new BenchInputException("--requests: must not be negative");
        }
        if (requests == 0 && (duration == null || duration.isZero())) {
            throw new BenchInputException("--requests or --duration: a run must be bounded by one of them");
        }
        if (duration != null && duration.isNegative()) {
            throw new BenchInputException("--duration: must not be negative");
        }
        if (warmup == null || warmup.isNegative()) {
            throw new BenchInputException("--warmup: must not be negative");
        }
    }

    public static LoadSpec closed(int concurrency, long requests, Duration duration, Duration warmup) {
        return new LoadSpec(Model.CLOSED, concurrency, 0, Integer.MAX_VALUE, requests, duration, warmup);
    }

    public static LoadSpec open(double rate, int maxOutstanding, long requests, Duration duration, Duration warmup) {
        return new LoadSpec(Model.OPEN, 0, rate, maxOutstanding, requests, duration, warmup);
    }

    /** The same shape, bounded by the warm-up time only. */
    LoadSpec warmupRun() {
        return new LoadSpec(model, concurrency, rate, maxOutstanding, 0, warmup, Duration.ZERO);
    }

    public String describe() {
        return model == Model.CLOSED ? concurrency + " outstanding" : String.format("%.0f req/s offered", rate);
    }
}
