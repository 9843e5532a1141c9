package cxg.gateway.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The repository's demo policy set, copied into temp dirs so that tests can edit it. */
final class PolicyFixtures {
    static final Clock NOV_2026 = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    private PolicyFixtures() {}

    static Path demoDir() {
        String home = System.getProperty("cxg.home");
        Path dir = home != null ? Path.of(home, "policies") : Path.of("..", "policies");
        if (!Files.isRegularFile(dir.resolve("members.yaml"))) {
            dir = Path.of("..", "policies");
        }
        return dir.toAbsolutePath().normalize();
    }

    static Path copyDemo(Path target) {
        try {
            for (String file : PolicyLoader.FILES) {
                Files.copy(demoDir().resolve(file), target.resolve(file));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PolicySet loadDemo() {
        return new PolicyLoader(NOV_2026, QuotaLimiter.unlimited()).load(demoDir()).policySet().orElseThrow();
    }

    static PolicyLoader.Result load(Path dir) {
        return new PolicyLoader(NOV_2026, QuotaLimiter.unlimited()).load(dir);
    }

    /** Replaces the first occurrence of {@code from} in {@code dir/file}. */
    static void edit(Path dir, String file, String from, String to) {
        try {
            Path p = dir.resolve(file);
            String s = Files.readString(p, StandardCharsets.UTF_8);
            if (!s.contains(from)) {
                throw new IllegalArgumentException(file + " does not contain " + from);
            }
            Files.writeString(p, s.replaceFirst(java.util.regex.Pattern.quote(from),
                    java.util.regex.Matcher.quoteReplacement(to)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void append(Path dir, String file, String text) {
        try {
            Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 1-based number of the first line of {@code dir/file} containing {@code text}. */
    static int lineOf(Path dir, String file, String text) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(text)) {
                    return i + 1;
                }
            }
            throw new IllegalArgumentException(file + " has no line containing " + text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
