package cxg.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the report's JVMs logged about their own stops ({@link #OPTION}): every safepoint (all stop-the-world pauses:
 * collections, deoptimisation, code cache and bias clean-ups) with its VM operation and length, and every JIT
 * compilation and "made not entrant" (a deoptimised method), each with its wall-clock time.
 */
final class JvmLog {

    /** The -Xlog selection every JVM of the report runs with, to a file. */
    static final String WHAT = "gc*=info,safepoint=info,jit+compilation=debug";

    /** A stop of every Java thread of one process, from {@code startEpochMillis} for {@code millis}. */
    record Pause(String process, long startEpochMillis, double millis, String operation) {

        long endEpochMillis() {
            return startEpochMillis + Math.round(millis);
        }
    }

    /** One JIT event: a compilation finished, or a compiled method made not entrant (deoptimised). */
    record Jit(String process, long epochMillis, boolean madeNotEntrant) {
    }

    /** The JVM option that writes this log for {@code process} into {@code dir}. */
    static String option(Path dir, String process) {
        return "-Xlog:" + WHAT + ":file=" + file(dir, process) + ":utctime,tags:filecount=0";
    }

    static Path file(Path dir, String process) {
        return dir.resolve(process + ".jvm.log");
    }

    private static final Pattern LINE = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT[^\\]]+)\\]\\[([^\\]]+)\\]\\s?(.*)$");
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"([^\"]+)\".*Total: (\\d+) ns");
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final List<Pause> pauses = new ArrayList<>();
    private final List<Jit> jit = new ArrayList<>();

    /** The log of one process; a missing file reads as empty. */
    static JvmLog read(String process, Path file) throws IOException {
        JvmLog log = new JvmLog();
        if (!Files.isRegularFile(file)) {
            return log;
        }
        try (Stream<String> lines = Files.lines(file)) {
            lines.forEach(l -> log.add(process, l));
        }
        return log;
    }

    /** Reads one line (for tests and the file reader). */
    void add(String process, String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return;
        }
        long at;
        try {
            at = OffsetDateTime.parse(m.group(1), UTC_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return;
        }
        String tags = m.group(2).strip();
        String text = m.group(3);
        if (tags.equals("safepoint")) {
            Matcher s = SAFEPOINT.matcher(text);
            if (s.find()) {
                double millis = Long.parseLong(s.group(2)) / 1e6;
                // logged when the safepoint ends
                pauses.add(new Pause(process, at - Math.round(millis), millis, s.group(1)));
            }
        } else if (tags.equals("jit,compilation")) {
            jit.add(new Jit(process, at, text.contains("made not entrant")));
        }
    }

    List<Pause> pauses() {
        return pauses;
    }

    List<Jit> jit() {
        return jit;
    }
}
