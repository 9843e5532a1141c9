package cxg.bench.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
 * request matching. It reads each request as a platform would: {@code POST /<member>/v1/scores}
 * with the contract's JSON body (subjectKind, subjectId, purpose, categories; one pass of a
 * streaming parser) answers 200 with that member's rating of the demo subject (the same JSON as
 * demo/<member>/mappings/resident-11010519491231002X.json), 404 for any other subject or path,
 * 400 for a body that does not follow the contract. Connectors point at it with base URL
 * {@code http://127.0.0.1:<port>/<member>}.
 */
public final class FastPlatform implements AutoCloseable {

    private static final String[] MEMBERS = {"alpha-credit", "beta-score"};
    /** The one subject the stand-in has a rating for, as in the demo's mappings. */
    static final String SUBJECT = "11010519491231002X";
    private static final JsonFactory JSON = new JsonFactory();

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
            byte[] request = exchange.getRequestBody().readAllBytes();
            byte[] rating = "POST".equals(exchange.getRequestMethod()) ? answers.get(exchange.getRequestURI().getPath()) : null;
            if (rating == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String subject = subjectOf(request);
            if (subject == null) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            if (!SUBJECT.equals(subject)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, rating.length);
            exchange.getResponseBody().write(rating);
        } catch (IOException e) {
            // the connector closed the connection mid-answer; there is no one left to tell
        }
    }

    /** The subjectId of a request body that follows the contract, or null. */
    static String subjectOf(byte[] body) {
        String kind = null;
        String subject = null;
        String purpose = null;
        boolean categories = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "subjectKind" -> kind = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "subjectId" -> subject = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "purpose" -> purpose = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "categories" -> {
                        if (value != JsonToken.START_ARRAY) {
                            return null;
                        }
                        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                            if (t != JsonToken.VALUE_STRING) {
                                return null;
                            }
                        }
                        categories = true;
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        boolean kindOk = "RESIDENT_ID".equals(kind) || "UNIFIED_SOCIAL_CREDIT_CODE".equals(kind);
        return kindOk && purpose != null && !purpose.isBlank() && categories ? subject : null;
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
