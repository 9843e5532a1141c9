package cxg.gateway.testing;

import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.stream.Stream;

/** The repository's demo policy set, copied to a test's own directory so that edits elsewhere cannot disturb it. */
public final class TestPolicies {

    private TestPolicies() {
    }

    public static Path repositoryPolicies() {
        Path home = Path.of(System.getProperty("cxg.home", ".."));
        Path dir = home.resolve("policies");
        return Files.isDirectory(dir) ? dir : Path.of("..", "policies");
    }

    public static Path copyTo(Path target) {
        Path source = repositoryPolicies();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PolicySet load(Path dir) {
        PolicyLoader.Result result = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.unlimited()).load(dir);
        return result.policySet().orElseThrow(() -> new IllegalStateException("demo policies do not load: " + result.errors()));
    }
}
