package cxg.bench.load;

import java.util.Locale;

/** How far a run is, told every so often while it lasts, for whoever watches a long run (the report's runs go without). */
@FunctionalInterface
public interface Progress {

    /**
     * @param spec     the run's own spec (a warm-up has its own duration)
     * @param seconds  since the run started
     * @param answered calls answered so far, degraded ones included
     * @param failed   calls failed so far
     */
    void at(String label, LoadSpec spec, double seconds, long answered, long failed);

    /** One line: {@code <label>: 20 s of 60 s, 121,440 answered (6,072/s), 0 failed}; a bound by calls as {@code 121,440 of 1,000,000}. */
    static String line(String label, LoadSpec spec, double seconds, long answered, long failed) {
        StringBuilder b = new StringBuilder(label).append(": ").append(Math.round(seconds)).append(" s");
        if (spec.duration() != null && !spec.duration().isZero()) {
            b.append(" of ").append(spec.duration().toSeconds()).append(" s");
        }
        b.append(", ").append(String.format(Locale.ROOT, "%,d", answered));
        if (spec.requests() > 0) {
            b.append(String.format(Locale.ROOT, " of %,d", spec.requests()));
        }
        b.append(String.format(Locale.ROOT, " answered (%,.0f/s), %,d failed", seconds > 0 ? answered / seconds : 0.0, failed));
        return b.toString();
    }
}
