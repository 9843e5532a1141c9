package cxg.gateway.audit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import cxg.pki.PemIdentity;

/**
 * Serves the audit log read-only over HTTPS in the C2SP tlog-tiles layout, so that anyone can mirror
 * it and verify it without cxg's code: {@code /checkpoint} (the latest signed checkpoint),
 * {@code /tile/<L>/<N>[.p/<W>]} and {@code /tile/entries/<N>[.p/<W>]}. TLS with the gateway's
 * certificate; no client certificate is asked for (public read). Nothing else is served.
 */
public final class AuditTileServer implements AutoCloseable {

    private static final Pattern TILE = Pattern.compile("/tile/(\\d{1,2}|entries)/((?:x\\d{3}/)*\\d{3})(?:\\.p/(\\d{1,3}))?");

    private final AuditLog log;
    private final HttpsServer server;
    private final ExecutorService executor;

    private AuditTileServer(AuditLog log, HttpsServer server, ExecutorService executor) {
        this.log = log;
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving on {@code host:port} (0: a free port) with the gateway's checked certificate and key. */
    public static AuditTileServer start(AuditLog log, String host, int port, PemIdentity.Credential gateway) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 64);
            server.setHttpsConfigurator(new HttpsConfigurator(sslContext(gateway)));
            ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "audit-tiles-https");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            AuditTileServer tiles = new AuditTileServer(log, server, executor);
            server.createContext("/", tiles::handle);
            server.start();
            return tiles;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot serve the audit tiles over HTTPS on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "text/plain", "read-only: GET only\n".getBytes(StandardCharsets.US_ASCII), "no-store");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Optional<byte[]> body;
            String type = "application/octet-stream";
            String cache = "public, max-age=31536000, immutable";
            if (path.equals("/checkpoint")) {
                body = Optional.of(log.latestCheckpoint().note().getBytes(StandardCharsets.UTF_8));
                type = "text/plain; charset=utf-8";
                cache = "no-store";
            } else {
                body = tile(path);
            }
            if (body.isEmpty()) {
                send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.US_ASCII), "no-store");
            } else {
                send(exchange, 200, type, body.get(), cache);
            }
        } catch (RuntimeException e) {
            send(exchange, 503, "text/plain", "audit log unavailable\n".getBytes(StandardCharsets.US_ASCII), "no-store");
        }
    }

    /** A tile or entry bundle, if {@code path} is a canonical tlog-tiles path the log holds. */
    private Optional<byte[]> tile(String path) {
        Matcher m = TILE.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        long index = Long.parseLong(m.group(2).replace("x", "").replace("/", ""));
        int width = m.group(3) == null ? Tiles.WIDTH : Integer.parseInt(m.group(3));
        if (width < 1 || width > Tiles.WIDTH) {
            return Optional.empty();
        }
        boolean entries = m.group(1).equals("entries");
        int level = entries ? 0 : Integer.parseInt(m.group(1));
        String canonical = "/" + (entries ? Tiles.bundlePath(index, width) : Tiles.tilePath(level, index, width));
        if (!canonical.equals(path)) {
            return Optional.empty();
        }
        if (!entries) {
            return log.tile(level, index, width);
        }
        long first = index * Tiles.WIDTH;
        if (first + width > log.size()) {
            return Optional.empty();
        }
        List<byte[]> bundle = log.entries(first, first + width);
        return Optional.of(Tiles.encodeBundle(bundle));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, String cache) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", cache);
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Presents the gateway's certificate, with no chain: peers trust the member CA itself, as on the gRPC port. */
    private static SSLContext sslContext(PemIdentity.Credential gateway) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = new char[0];
        ks.setKeyEntry("gateway", gateway.key(), password, new Certificate[] {gateway.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
