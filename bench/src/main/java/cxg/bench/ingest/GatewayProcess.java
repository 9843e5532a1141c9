package cxg.bench.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built gateway ({@code gateway/target/quarkus-app}) as its own process on free loopback ports,
 * without token checks, with its store at a given JDBC URL. Output goes to a log file. Stopped by
 * its own handle only: {@link #kill()} is SIGKILL (no shutdown hooks run), {@link #close()} a clean stop.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int grpcPort;
    private final int httpPort;
    private final Path log;

    private GatewayProcess(Process process, int grpcPort, int httpPort, Path log) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * The gateway's JVM options from {@code gateway/jvm.options}, the file {@code ./cxg} starts the demo's gateway
     * with, so that what is benchmarked is what runs.
     */
    public static List<String> jvmOptions(Path repoRoot) throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(repoRoot.resolve("gateway/jvm.options"))) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                options.addAll(List.of(l.split("\\s+")));
            }
        }
        return options;
    }

    /**
     * Starts the gateway and waits until it is ready. {@code work} holds its data directory (audit log)
     * and its log file {@code <name>.log}; {@code extraJvmArgs} go before {@code -jar} (e.g. a JFR recording).
     */
    public static GatewayProcess start(String name, Path repoRoot, Path pki, Path policies, Path work, String storeUrl,
                                       String storeUser, List<String> extraJvmArgs, Duration timeout)
            throws IOException, InterruptedException {
        Path jar = repoRoot.resolve("gateway/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: build the gateway first (mvn -B -pl gateway -am package -DskipTests)");
        }
        int grpc = freePort();
        int http = freePort();
        Files.createDirectories(work);
        Path log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions(repoRoot));
        command.addAll(List.of(
                "-Dquarkus.grpc.server.port=" + grpc, "-Dquarkus.grpc.server.host=127.0.0.1",
                "-Dquarkus.http.port=" + http, "-Dquarkus.http.host=127.0.0.1",
                "-Dcxg.pki.dir=" + pki, "-Dcxg.policy.dir=" + policies, "-Dcxg.data.dir=" + work.resolve("data"),
                "-Dcxg.store.url=" + storeUrl, "-Dcxg.store.user=" + storeUser, "-Dcxg.store.retention-interval=0"));
        command.addAll(extraJvmArgs);
        command.addAll(List.of("-jar", jar.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        GatewayProcess gateway = new GatewayProcess(p, grpc, http, log);
        try {
            gateway.awaitReady(timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            gateway.kill();
            throw e;
        }
        return gateway;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI health = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException("the gateway exited with " + process.exitValue() + " while starting; see " + log);
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("the gateway was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    /** SIGKILL: the process ends at once, no shutdown hook, no store close. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
