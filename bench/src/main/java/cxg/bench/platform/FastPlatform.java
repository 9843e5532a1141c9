package cxg.bench.platform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fast stand-in for the platforms' own REST scoring API (the contract in
 * private-scorer-connector/README.md), so that the benchmark measures cxg rather than WireMock's
 * request matching. {@code POST /<member>/v1/scores} answers 200 with that member's fixed rating
 * of the demo subject (the same JSON as demo/<member>/mappings/resident-11010519491231002X.json);
 * anything else gets 404. Connectors point at it with base URL {@code http://127.0.0.1:<port>/<member>}.
 */
public final class FastPlatform implements AutoCloseable {

    private static final String[] MEMBERS = {"alpha-credit", "beta-score"};

    private final HttpServer server;
    private final ExecutorService executor;

    private FastPlatform(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static FastPlatform start(InetSocketAddress address, int threads) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK (Nagle): every answer would wait ~40 ms. Read once, when the server class loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Map<String, byte[]> answers = new java.util.HashMap<>();
        for (String member : MEMBERS) {
            try (InputStream in = FastPlatform.class.getResourceAsStream(member + ".json")) {
                answers.put("/" + member + "/v1/scores", in.readAllBytes());
            }
        }
        HttpServer server = HttpServer.create(address, 1024);
        // threads 0: the server's own dispatcher thread answers (the answer is a fixed byte array),
        // one thread hand-off less per platform call than handing each exchange to a pool
        ExecutorService executor = threads <= 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "platform");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, answers));
        server.start();
        return new FastPlatform(server, executor);
    }

    private static void answer(HttpExchange exchange, Map<String, byte[]> answers) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "POST".equals(exchange.getRequestMethod()) ? answers.get(exchange.getRequestURI().getPath()) : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            // the connector closed the connection mid-answer; there is no one left to tell
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
