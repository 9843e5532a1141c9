package cxg.agency.api;

import cxg.agency.FakeGateway;
import cxg.pki.DevPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A dev PKI in a temp dir and a stand-in gateway on a free port, wired into the connector's config. */
public class FakeGatewayResource implements QuarkusTestResourceLifecycleManager {

    private Path dir;
    private FakeGateway gateway;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("cxg-agency-test");
            DevPki.init(dir, false);
            gateway = FakeGateway.start(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "cxg.member", "court",
                "cxg.pki.dir", dir.toString(),
                "cxg.gateway.address", gateway.address(),
                // Generous for a loaded test machine; the deadline mapping is covered by the CLI tests.
                "cxg.gateway.deadline", "30s");
    }

    @Override
    public void stop() {
        try {
            if (gateway != null) {
                gateway.close();
            }
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
