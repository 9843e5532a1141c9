package cxg.scorer.transport;

import com.github.tomakehurst.wiremock.WireMockServer;
import cxg.pki.DevPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fresh dev PKI in a temp dir (plus an unrelated "foreign" CA), WireMock standing in for
 * alpha-credit's REST API, and a free gRPC port: the connector under test runs as alpha-credit.
 */
public class TlsPlatformResource implements QuarkusTestResourceLifecycleManager {

    static Path pki;
    static Path foreignPki;
    static int grpcPort;
    static WireMockServer platform;

    private Path tmp;

    @Override
    public Map<String, String> start() {
        try {
            tmp = Files.createTempDirectory("cxg-scorer-tls");
            pki = tmp.resolve("pki");
            foreignPki = tmp.resolve("foreign");
            DevPki.init(pki, false);
            DevPki.createForeignCa(foreignPki, "gateway");
            try (ServerSocket socket = new ServerSocket(0)) {
                grpcPort = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        platform = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        platform.start();
        platform.stubFor(post(urlEqualTo("/v1/scores")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"value\":712,\"tier\":\"good\",\"computedAt\":\"2026-11-01T00:00:00Z\"}")));
        return Map.of(
                "cxg.member", "alpha-credit",
                "cxg.pki.dir", pki.toString(),
                "cxg.platform.base-url", platform.baseUrl(),
                "cxg.platform.timeout", "10s",
                "quarkus.grpc.server.test-port", Integer.toString(grpcPort),
                "quarkus.http.test-port", "0");
    }

    @Override
    public void stop() {
        if (platform != null) {
            platform.stop();
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
