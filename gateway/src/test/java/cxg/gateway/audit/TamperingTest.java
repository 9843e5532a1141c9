package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import cxg.audit.verify.VerifyCli;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tampering with a real store is caught by the independent verifier, naming what failed: on the
 * directory store (verified as the tlog-tiles directory it is) and on PostgreSQL (verified through a
 * read-only tlog-tiles HTTP view of the database, as a mirror would fetch it).
 */
class TamperingTest {

    enum Kind { DIRECTORY, POSTGRES }

    private static final String ORIGIN = "cxg.test/audit";
    private static final NoteSigner KEY = NoteSigner.generate(ORIGIN);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path tmp;
    private Target target;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @AfterEach
    void stopServing() {
        if (target != null) {
            target.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static byte[] entry(int i) {
        return ("{\"member\":\"court\",\"request\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A log of 300 entries with a checkpoint, on a store of the given kind, and the means to tamper with it. */
    private Target logOf300(Kind kind) throws Exception {
        target = kind == Kind.DIRECTORY ? new DirectoryTarget(tmp.resolve("log")) : new PostgresTarget();
        try (AuditLog log = target.openLog()) {
            for (int i = 0; i < 300; i++) {
                log.append(entry(i));
            }
            log.checkpoint().toCompletableFuture().join();
        }
        return target;
    }

    private Run verify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("verify", "--key", KEY.verifierKey(), "--state", tmp.resolve("verifier-state").toString()));
        all.addAll(List.of(args));
        int exit = VerifyCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Run verifyTiles() {
        return verify("--tiles", target.tiles());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anUntouchedLogVerifiesAndLaterCheckpointsMustBeConsistentWithIt(Kind kind) throws Exception {
        logOf300(kind);
        Run first = verifyTiles();
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("tree size 300"), first.out());
        try (AuditLog log = target.openLog()) {
            log.append(entry(300)).toCompletableFuture().join();
            log.checkpoint().toCompletableFuture().join();
        }
        Run second = verifyTiles();
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("consistent with the trusted checkpoint of size 300"), second.out());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsAnAlteredEntry(Kind kind) throws Exception {
        logOf300(kind).setEntry(5, "{\"member\":\"court\",\"request\":-1}".getBytes(StandardCharsets.UTF_8));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 5:"), r.err());
    }

    @Test
    void detectsAnEntryRewrittenInPlaceInTheDirectoryWithoutFixingItsChecksum() throws Exception {
        logOf300(Kind.DIRECTORY);
        // as a text editor would: same length, the record's checksum left stale
        Path segment = StoredEntries.segments(tmp.resolve("log")).get(0);
        String bytes = new String(Files.readAllBytes(segment), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("\"request\":17}"));
        Files.write(segment, bytes.replace("\"request\":17}", "\"request\":71}").getBytes(StandardCharsets.ISO_8859_1));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 17:"), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsADeletedEntry(Kind kind) throws Exception {
        logOf300(kind).deleteShiftingLeft(7);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 7:"), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsTwoReorderedEntries(Kind kind) throws Exception {
        logOf300(kind).swap(3, 4);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("entry 3:"), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsATruncatedTail(Kind kind) throws Exception {
        logOf300(kind);
        assertEquals(0, verifyTiles().exit(), "the auditor has seen size 300");
        // The operator cuts the log back to 256 entries and signs a checkpoint for that with the real key.
        List<byte[]> leaves = new ArrayList<>();
        for (byte[] e : target.firstBundle()) {
            leaves.add(Merkle.leafHash(e));
        }
        byte[] root = Merkle.rootHash(Merkle.ofLeafHashes(leaves), 256);
        target.cutTo256(KEY.sign(new Checkpoint(ORIGIN, 256, root).text()));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("consistency:") && r.err().contains("300"), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsATruncatedTailUnderTheSameCheckpoint(Kind kind) throws Exception {
        logOf300(kind).dropFrom(296);
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        // A directory's entries end 4 short of the bundle; the database view has no 44-entry bundle left to serve.
        String expected = kind == Kind.DIRECTORY ? "entry 296:" : "tile/entries/001.p/44 is missing";
        assertTrue(r.err().contains(expected), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void detectsAReplacedSigningKey(Kind kind) throws Exception {
        logOf300(kind);
        String note = target.checkpoint();
        String body = note.substring(0, note.lastIndexOf("\n\n") + 1);
        target.replaceCheckpoint(NoteSigner.generate(ORIGIN).sign(body));
        Run r = verifyTiles();
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("checkpoint signature"), r.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anExportVerifiesAndAnAlteredExportedEntryIsNamed(Kind kind) throws Exception {
        logOf300(kind);
        String export;
        try (AuditLog log = target.openLog()) {
            export = AuditExport.write(log, log.latestCheckpoint(), e -> new String(e, StandardCharsets.UTF_8).contains("\"request\":1"), List.of());
        }
        Path file = tmp.resolve("export.json");
        Files.writeString(file, export);
        Run ok = verify("--export", file.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("111 entries verified"), ok.out());

        String altered = Base64.getEncoder().encodeToString("{\"member\":\"court\",\"request\":1}".getBytes(StandardCharsets.UTF_8));
        String forged = Base64.getEncoder().encodeToString("{\"member\":\"railway\",\"request\":1}".getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, export.replace(altered, forged));
        Run bad = verify("--export", file.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("entry 1:"), bad.err());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anExportOfALaterTreeCarriesTheConsistencyProofFromTheTrustedSize(Kind kind) throws Exception {
        logOf300(kind);
        assertEquals(0, verifyTiles().exit());
        String export;
        try (AuditLog log = target.openLog()) {
            for (int i = 300; i < 320; i++) {
                log.append(entry(i)).toCompletableFuture().join();
            }
            SignedCheckpoint cp = log.checkpoint().toCompletableFuture().join();
            export = AuditExport.write(log, cp, e -> true, List.of(300L));
        }
        Path file = tmp.resolve("export.json");
        Files.writeString(file, export.replaceAll("\"consistency\":\\[.*?\\}\\]", "\"consistency\":[]"));
        Run missing = verify("--export", file.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("consistency: the export has no consistency proof between the trusted size 300"), missing.err());

        Files.writeString(file, export);
        Run ok = verify("--export", file.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("320 entries verified, consistent with the trusted checkpoint of size 300"), ok.out());
    }

    @Test
    void badInputIsAUsageError() throws Exception {
        Path file = tmp.resolve("export.json");
        Files.writeString(file, "{not json");
        Run r = verify("--export", file.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("invalid input:"), r.err());
        Run both = verify();
        assertEquals(2, both.exit());
    }

    /** A store holding the test log, and what an operator with write access could do to it. */
    private abstract static class Target implements AutoCloseable {

        abstract LogStore open();

        AuditLog openLog() {
            return AuditLog.open(open(), KEY, new AuditLog.Options(ORIGIN, 1000, Duration.ZERO, 16));
        }

        /** Where the verifier reads the log as tlog-tiles: a directory or an HTTP prefix. */
        abstract String tiles();

        abstract List<byte[]> firstBundle() throws Exception;

        abstract void setEntry(int index, byte[] data) throws Exception;

        /** Removes an entry and moves every later one down by one, as if it had never been appended. */
        abstract void deleteShiftingLeft(int index) throws Exception;

        abstract void swap(int a, int b) throws Exception;

        /** Keeps the first 256 entries only, and puts {@code note} in place of every later checkpoint. */
        abstract void cutTo256(String note) throws Exception;

        /** Drops the entries from {@code index} on, leaving the checkpoint as it is. */
        abstract void dropFrom(int index) throws Exception;

        abstract String checkpoint() throws Exception;

        abstract void replaceCheckpoint(String note) throws Exception;

        @Override
        public void close() {
        }
    }

    private static final class DirectoryTarget extends Target {
        private final Path dir;

        DirectoryTarget(Path dir) {
            this.dir = dir;
        }

        @Override
        LogStore open() {
            return DirectoryLogStore.open(dir);
        }

        @Override
        String tiles() {
            return dir.toString();
        }

        /** The entries as stored in the directory's {@code entries/} files, which an operator can rewrite (checksums included). */
        private List<byte[]> stored() throws IOException {
            return new ArrayList<>(StoredEntries.read(dir));
        }

        @Override
        List<byte[]> firstBundle() throws IOException {
            return stored().subList(0, 256);
        }

        @Override
        void setEntry(int index, byte[] data) throws IOException {
            List<byte[]> all = stored();
            all.set(index, data);
            StoredEntries.write(dir, all);
        }

        @Override
        void deleteShiftingLeft(int index) throws IOException {
            List<byte[]> all = stored();
            all.remove(index);
            StoredEntries.write(dir, all);
        }

        @Override
        void swap(int a, int b) throws IOException {
            List<byte[]> all = stored();
            Collections.swap(all, a, b);
            StoredEntries.write(dir, all);
        }

        @Override
        void cutTo256(String note) throws IOException {
            StoredEntries.write(dir, stored().subList(0, 256));
            Files.delete(dir.resolve("tile/0/001.p/44"));
            Files.writeString(dir.resolve("checkpoint"), note);
        }

        @Override
        void dropFrom(int index) throws IOException {
            StoredEntries.write(dir, stored().subList(0, index));
        }

        @Override
        String checkpoint() throws IOException {
            return Files.readString(dir.resolve("checkpoint"));
        }

        @Override
        void replaceCheckpoint(String note) throws IOException {
            Files.writeString(dir.resolve("checkpoint"), note);
        }
    }

    private static final class PostgresTarget extends Target {
        private static final Pattern TILE = Pattern.compile("/tile/(entries|\\d+)/((?:x\\d{3}/)*\\d{3})(?:\\.p/(\\d+))?");
        private final DataSource db;
        private final PostgresLogStore served;
        private final HttpServer server;

        PostgresTarget() throws Exception {
            String name = "tamper_" + DATABASES.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            db = postgres.getDatabase("postgres", name);
            served = PostgresLogStore.open(db);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                Optional<byte[]> body = resource(exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(body.isPresent() ? 200 : 404, body.isPresent() ? body.get().length : -1);
                if (body.isPresent()) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body.get());
                    }
                }
                exchange.close();
            });
            server.start();
        }

        /** The read-only tlog-tiles view of the database: the latest checkpoint, tiles and entry bundles. */
        private Optional<byte[]> resource(String path) {
            if (path.equals("/checkpoint")) {
                List<String> all = served.checkpoints();
                return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).getBytes(StandardCharsets.UTF_8));
            }
            Matcher m = TILE.matcher(path);
            if (!m.matches()) {
                return Optional.empty();
            }
            long index = Long.parseLong(m.group(2).replace("x", "").replace("/", ""));
            int width = m.group(3) == null ? Tiles.WIDTH : Integer.parseInt(m.group(3));
            return m.group(1).equals("entries") ? served.readBundle(index, width).map(Tiles::encodeBundle)
                    : served.readTile(Integer.parseInt(m.group(1)), index, width);
        }

        @Override
        LogStore open() {
            return PostgresLogStore.open(db);
        }

        @Override
        String tiles() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        private void sql(String statement, Object... args) throws Exception {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.execute();
            }
        }

        @Override
        List<byte[]> firstBundle() {
            return served.readBundle(0, Tiles.WIDTH).orElseThrow();
        }

        @Override
        void setEntry(int index, byte[] data) throws Exception {
            sql("UPDATE audit_entry SET data = ? WHERE idx = ?", data, (long) index);
        }

        @Override
        void deleteShiftingLeft(int index) throws Exception {
            sql("DELETE FROM audit_entry WHERE idx = ?", (long) index);
            sql("UPDATE audit_entry SET idx = -idx WHERE idx > ?", (long) index);
            sql("UPDATE audit_entry SET idx = -idx - 1 WHERE idx < 0");
        }

        @Override
        void swap(int a, int b) throws Exception {
            sql("UPDATE audit_entry e SET data = o.data FROM audit_entry o"
                    + " WHERE (e.idx = ? AND o.idx = ?) OR (e.idx = ? AND o.idx = ?)", (long) a, (long) b, (long) b, (long) a);
        }

        @Override
        void cutTo256(String note) throws Exception {
            sql("DELETE FROM audit_entry WHERE idx >= 256");
            sql("DELETE FROM audit_tile WHERE width < 256");
            sql("DELETE FROM audit_checkpoint");
            sql("INSERT INTO audit_checkpoint (size, note) VALUES (256, ?)", note);
        }

        @Override
        void dropFrom(int index) throws Exception {
            sql("DELETE FROM audit_entry WHERE idx >= ?", (long) index);
        }

        @Override
        String checkpoint() {
            List<String> all = served.checkpoints();
            return all.get(all.size() - 1);
        }

        @Override
        void replaceCheckpoint(String note) throws Exception {
            sql("UPDATE audit_checkpoint SET note = ? WHERE size = (SELECT max(size) FROM audit_checkpoint)", note);
        }

        @Override
        public void close() {
            server.stop(0);
            served.close();
        }
    }
}
