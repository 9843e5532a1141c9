package cxg.audit.verify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where tlog-tiles resources come from: a directory (a mirror, or the store itself) or an HTTP(S) prefix. */
interface TileSource {

    Optional<byte[]> get(String path) throws IOException;

    String describe(String path);

    static TileSource of(String location) {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            return new Http(location.endsWith("/") ? location : location + "/");
        }
        return new Dir(Path.of(location));
    }

    /**
     * A directory: a mirror holds every resource as a file; the gateway's own store keeps the entries once, in
     * {@code entries/<start>.log} segments, and its bundles are read from there (see {@link EntrySegments}).
     */
    final class Dir implements TileSource {
        private final Path root;
        private EntrySegments segments;

        Dir(Path root) {
            this.root = root;
        }

        @Override
        public Optional<byte[]> get(String path) throws IOException {
            try {
                return Optional.of(Files.readAllBytes(root.resolve(path)));
            } catch (NoSuchFileException e) {
                if (!path.startsWith(EntrySegments.BUNDLES) || !Files.isDirectory(root.resolve(EntrySegments.DIR))) {
                    return Optional.empty();
                }
                if (segments == null) {
                    segments = EntrySegments.scan(root.resolve(EntrySegments.DIR));
                }
                return segments.bundle(path.substring(EntrySegments.BUNDLES.length()));
            }
        }

        @Override
        public String describe(String path) {
            return path.startsWith(EntrySegments.BUNDLES) && segments != null ? path + " (from " + EntrySegments.DIR + "/)" : path;
        }
    }

    final class Http implements TileSource {
        private final String prefix;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        Http(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Optional<byte[]> get(String path) throws IOException {
            HttpRequest req = HttpRequest.newBuilder(URI.create(prefix + path)).timeout(Duration.ofSeconds(30)).GET().build();
            try {
                HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (resp.statusCode() == 404) {
                    return Optional.empty();
                }
                if (resp.statusCode() != 200) {
                    throw new IOException(prefix + path + " answered HTTP " + resp.statusCode());
                }
                return Optional.of(resp.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted fetching " + prefix + path, e);
            }
        }

        @Override
        public String describe(String path) {
            return prefix + path;
        }
    }
}
