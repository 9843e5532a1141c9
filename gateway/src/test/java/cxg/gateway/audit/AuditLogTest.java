package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.testing.Await;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The audit log's guarantees, checked on both stores: the directory store and PostgreSQL. */
class AuditLogTest {

    enum Kind { DIRECTORY, POSTGRES }

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    /** A fresh, empty store location of the given kind; {@link #open} reopens it. */
    private final class Location {
        final Kind kind;
        final Path dir;
        final DataSource db;

        Location(Kind kind) throws Exception {
            this.kind = kind;
            if (kind == Kind.DIRECTORY) {
                dir = tmp.resolve("log");
                db = null;
            } else {
                String name = "audit_" + DATABASES.incrementAndGet();
                try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + name);
                }
                dir = null;
                db = postgres.getDatabase("postgres", name);
            }
        }

        LogStore open() {
            return kind == Kind.DIRECTORY ? DirectoryLogStore.open(dir) : PostgresLogStore.open(db);
        }

        /** The benchmark-only store that does not force its writes to disk ({@code cxg.audit.fsync=false}). */
        LogStore openUnforced() {
            return kind == Kind.DIRECTORY ? DirectoryLogStore.open(dir, false) : PostgresLogStore.open(db, false);
        }
    }

    private static final NoteSigner KEY = NoteSigner.generate("cxg.test/audit");

    private static AuditLog openLog(LogStore store) {
        return AuditLog.open(store, KEY, new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64));
    }

    private static byte[] entry(int i) {
        return ("{\"request\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> appendConcurrently(AuditLog log, int from, int count) {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                int n = i;
                futures.add(CompletableFuture.supplyAsync(() -> n, pool)
                        .thenCompose(x -> log.append(entry(x)).toCompletableFuture()));
            }
            return futures.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdown();
        }
    }

    /** Leaf hashes of the log's entries in index order, read back through the log. */
    private static List<byte[]> leafHashes(AuditLog log) {
        return log.entries(0, log.size()).stream().map(Merkle::leafHash).toList();
    }

    private static void assertTreeIsSound(AuditLog log) {
        List<byte[]> hashes = leafHashes(log);
        long n = hashes.size();
        for (long size : new long[] {1, 2, 255, 256, 257, 511, 512, 513, n - 1, n}) {
            if (size < 1 || size > n) {
                continue;
            }
            byte[] root = MerkleTest.mth(hashes.subList(0, (int) size));
            assertArrayEquals(root, log.rootHash(size), "root of size " + size + " from tiles");
            for (long i : new long[] {0, size / 3, size - 1}) {
                List<byte[]> proof = log.inclusionProof(i, size);
                assertTrue(Merkle.verifyInclusion(i, size, hashes.get((int) i), proof, root), "inclusion of " + i + " in " + size);
            }
            for (long first : new long[] {1, 100, 256, size / 2, size}) {
                if (first >= 1 && first <= size) {
                    assertTrue(Merkle.verifyConsistency(first, size, MerkleTest.mth(hashes.subList(0, (int) first)), root,
                            log.consistencyProof(first, size)), "consistency " + first + " -> " + size);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentAppendsGetDistinctConsecutiveIndexesAndTheTreeMatchesRecomputation(Kind kind) throws Exception {
        Location at = new Location(kind);
        try (AuditLog log = openLog(at.open())) {
            List<Long> indexes = appendConcurrently(log, 0, 700);
            assertEquals(700, new HashSet<>(indexes).size());
            assertEquals(0L, indexes.stream().mapToLong(Long::longValue).min().orElseThrow());
            assertEquals(699L, indexes.stream().mapToLong(Long::longValue).max().orElseThrow());
            List<byte[]> stored = log.entries(0, 700);
            for (int i = 0; i < 700; i++) {
                assertArrayEquals(entry(i), stored.get(indexes.get(i).intValue()), "entry acknowledged at index " + indexes.get(i));
            }
            assertTreeIsSound(log);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void signsCheckpointsThatVerifyAndKeepsThem(Kind kind) throws Exception {
        Location at = new Location(kind);
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 300);
            SignedCheckpoint first = log.checkpoint().toCompletableFuture().join();
            appendConcurrently(log, 300, 10);
            SignedCheckpoint second = log.checkpoint().toCompletableFuture().join();

            String text = NoteSigner.verify(second.note(), log.verifierKey());
            assertNotNull(text, "checkpoint signature verifies with the published key");
            Checkpoint body = Checkpoint.parse(text);
            assertEquals("cxg.test/audit", body.origin());
            assertEquals(310, body.size());
            assertArrayEquals(log.rootHash(310), body.rootHash());
            assertTrue(second.note().contains("\n\n\u2014 cxg.test/audit "), "signature line per signed-note");
            assertEquals(null, NoteSigner.verify(second.note(), NoteSigner.generate("cxg.test/audit").verifierKey()),
                    "another key does not verify it");
            List<String> kept = log.checkpoints();
            assertTrue(kept.contains(first.note()) && kept.contains(second.note()), "both checkpoints are kept");
            assertTrue(Merkle.verifyConsistency(300, 310, first.rootHash(), second.rootHash(), log.consistencyProof(300, 310)));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void resumesAfterRestartWithEveryAcknowledgedEntry(Kind kind) throws Exception {
        Location at = new Location(kind);
        byte[] rootBefore;
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 300);
            log.checkpoint().toCompletableFuture().join();
            appendConcurrently(log, 300, 400);
            rootBefore = log.rootHash(700);
            // closed without a checkpoint after the last 400 entries: they are only in the entries' store
        }
        try (AuditLog log = openLog(at.open())) {
            assertEquals(700, log.size());
            assertArrayEquals(rootBefore, log.rootHash(700));
            assertEquals(700, log.latestCheckpoint().size(), "start-up signs a checkpoint of the recovered tree");
            assertEquals(700L, log.append(entry(700)).toCompletableFuture().join());
            assertTreeIsSound(log);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withoutFsyncTheStoreStillKeepsEveryEntryAndTileAcrossARestart(Kind kind) throws Exception {
        Location at = new Location(kind);
        byte[] rootBefore;
        try (AuditLog log = openLog(at.openUnforced())) {
            appendConcurrently(log, 0, 300);
            log.checkpoint().toCompletableFuture().join();
            appendConcurrently(log, 300, 300);
            rootBefore = log.rootHash(600);
        }
        try (AuditLog log = openLog(at.open())) {
            assertEquals(600, log.size());
            assertArrayEquals(rootBefore, log.rootHash(600));
            assertTreeIsSound(log);
        }
    }

    @Test
    void aTornGroupAtTheTailIsDroppedOnStartAndNoneOfItsRecordsReturnsBehindALaterGroup() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 20);
        }
        // A crash in the middle of a group's write: a header promising more bytes than were written, and after
        // it a record of the same group that did reach the disk whole (writes land in any order).
        byte[] whole = record(entry(99));
        byte[] torn = new byte[8 + 10 + whole.length];
        System.arraycopy(new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 'p', 'a', 'r'}, 0, torn, 0, 11);
        System.arraycopy(whole, 0, torn, 18, whole.length);
        StoredEntries.writeStream(at.dir, torn, StoredEntries.end(at.dir));
        try (AuditLog log = openLog(at.open())) {
            assertEquals(20, log.size());
            assertEquals(20L, log.append(entry(20)).toCompletableFuture().join());
            assertArrayEquals(entry(20), log.entry(20));
        }
        try (AuditLog log = openLog(at.open())) {
            assertEquals(21, log.size(), "the torn group's whole record is gone, not read back behind entry 20");
            assertTreeIsSound(log);
        }
    }

    /** A record as the directory store frames it: length, CRC32C of length and entry, entry. */
    private static byte[] record(byte[] e) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(java.nio.ByteBuffer.allocate(4).putInt(e.length).array());
        crc.update(e);
        return java.nio.ByteBuffer.allocate(8 + e.length).putInt(e.length).putInt((int) crc.getValue()).put(e).array();
    }

    @Test
    void aCrashLosesNoAcknowledgedEntryAndStartUpRepairsTornTilesTheIndexAndTheTornTail() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        Path dir = at.dir;
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 300);
            log.checkpoint().toCompletableFuture().join();
        }
        byte[] stateAt300 = Files.readAllBytes(dir.resolve("state"));
        byte[] root;
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 300, 500);
            log.checkpoint().toCompletableFuture().join();
            root = log.rootHash(800);
        }
        // The crash: the resume point had not yet moved past 300, the tiles and the entry index written since
        // were lost or torn, and a group was being written (a record whose body never reached the disk).
        Files.write(dir.resolve("state"), stateAt300);
        try (java.nio.channels.FileChannel idx = java.nio.channels.FileChannel.open(dir.resolve(DirectoryLogStore.INDEX),
                StandardOpenOption.WRITE)) {
            idx.truncate(2 * 8);
        }
        Files.write(dir.resolve("tile/0/002"), new byte[100]);
        StoredEntries.writeStream(dir, new byte[] {0, 0, 1, (byte) 144, 1, 2, 3, 4, '{', '"'}, StoredEntries.end(dir));

        try (AuditLog log = openLog(at.open())) {
            assertEquals(800, log.size(), "every acknowledged entry is back, the torn record is not");
            assertArrayEquals(root, log.rootHash(800));
            assertEquals(800L, log.append(entry(800)).toCompletableFuture().join());
            assertTreeIsSound(log);
            log.checkpoint().toCompletableFuture().join();
        }
        assertEquals(256 * 32, Files.size(dir.resolve("tile/0/002")), "the torn tile is rewritten");
        assertEquals(4 * 8, Files.size(dir.resolve(DirectoryLogStore.INDEX)), "the index has all 4 bundles again");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = cxg.audit.verify.VerifyCli.run(new String[] {"verify", "--key", KEY.verifierKey(), "--state", tmp.resolve("trusted").toString(),
            "--tiles", dir.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("tree size 801"), out.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {300, 512})
    void groupsAreAcknowledgedWhileACheckpointIsStoredAndACrashAfterItLosesNone(int checkpointSize) throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        GatedCheckpoints store = new GatedCheckpoints(at.open());
        int more = 500;
        byte[] root;
        long offset = 0;
        try (AuditLog log = openLog(store)) {
            appendConcurrently(log, 0, checkpointSize);
            store.gate.hold();
            CompletableFuture<SignedCheckpoint> checkpoint = log.checkpoint().toCompletableFuture();
            try {
                assertTrue(store.gate.entered.await(30, TimeUnit.SECONDS), "the checkpoint reached the store");
                List<Long> indexes = CompletableFuture.supplyAsync(() -> appendConcurrently(log, checkpointSize, more))
                        .get(30, TimeUnit.SECONDS);
                assertEquals(more, new HashSet<>(indexes).size(), "acknowledged while the checkpoint's fsyncs were held");
            } finally {
                store.gate.release();
            }
            assertEquals(checkpointSize, checkpoint.join().size(), "the checkpoint is of the tree when it was asked for");
            root = log.rootHash(checkpointSize + more);
            for (byte[] e : log.entries(0, checkpointSize)) {
                offset += 8 + e.length;
            }
        }
        Path dir = at.dir;
        String state = Files.readString(dir.resolve("state"), StandardCharsets.UTF_8);
        assertTrue(state.startsWith(checkpointSize + " " + offset + "\n"),
                "the resume point is the checkpoint's size and the entries offset at that size: " + state.lines().findFirst().orElse(""));
        // The crash: a group was being written when it happened (a record whose body never reached the disk).
        StoredEntries.writeStream(dir, new byte[] {0, 0, 1, (byte) 144, 1, 2, 3, 4, '{', '"'}, StoredEntries.end(dir));
        try (AuditLog log = openLog(at.open())) {
            assertEquals(checkpointSize + more, log.size(), "the groups after the checkpoint are replayed, the torn one is not");
            assertArrayEquals(root, log.rootHash(checkpointSize + more));
            assertEquals((long) checkpointSize + more, log.append(entry(checkpointSize + more)).toCompletableFuture().join());
            assertTreeIsSound(log);
        }
    }

    @Test
    void checkpointsTakenWhileAppendsRunResumeFromTheOffsetOfTheirOwnSize() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        byte[] root;
        List<Long> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AuditLog log = openLog(at.open())) {
            java.util.concurrent.atomic.AtomicBoolean appending = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread checkpoints = new Thread(() -> {
                while (appending.get()) {
                    sizes.add(log.checkpoint().toCompletableFuture().join().size());
                }
            });
            checkpoints.start();
            appendConcurrently(log, 0, 3000);
            appending.set(false);
            checkpoints.join();
            appendConcurrently(log, 3000, 10);
            root = log.rootHash(3010);
        }
        String first = Files.readString(at.dir.resolve("state"), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        long size = Long.parseLong(first.split(" ")[0]);
        long offset = Long.parseLong(first.split(" ")[1]);
        assertTrue(sizes.contains(size), "the resume point is the last checkpoint taken, " + size + " of " + sizes);
        try (AuditLog log = openLog(at.open())) {
            assertEquals(3010, log.size());
            assertArrayEquals(root, log.rootHash(3010));
            long expected = 0;
            for (byte[] e : log.entries(0, size)) {
                expected += 8 + e.length;
            }
            assertEquals(expected, offset, "the entries offset of checkpoint " + size);
            assertTreeIsSound(log);
        }
    }

    @Test
    void aStoreWithOneEntriesFileAndBundleFilesIsMovedToSegmentsWithoutLosingAnEntry() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        Path dir = at.dir;
        byte[] root;
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 600);
            log.checkpoint().toCompletableFuture().join();
            appendConcurrently(log, 600, 10);
            root = log.rootHash(610);
        }
        // the layout before segments: all records in entries.log, bundles in tile/entries/, no entries.idx
        java.io.ByteArrayOutputStream single = new java.io.ByteArrayOutputStream();
        for (byte[] e : StoredEntries.read(dir)) {
            single.write(record(e));
        }
        for (Path p : StoredEntries.segments(dir)) {
            Files.delete(p);
        }
        Files.delete(dir.resolve(DirectoryLogStore.INDEX));
        Files.write(dir.resolve("entries.log"), single.toByteArray());
        Files.createDirectories(dir.resolve("tile/entries"));
        Files.write(dir.resolve("tile/entries/000"), new byte[] {0, 1, 'x'});
        try (AuditLog log = openLog(at.open())) {
            assertEquals(610, log.size());
            assertArrayEquals(root, log.rootHash(610));
            assertTreeIsSound(log);
        }
        assertTrue(Files.notExists(dir.resolve("entries.log")) && Files.notExists(dir.resolve("tile/entries")));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void startUpReadsOnlyTheEntriesAfterTheLastCheckpoint(Kind kind) throws Exception {
        Location at = new Location(kind);
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 600);
            log.checkpoint().toCompletableFuture().join();
            appendConcurrently(log, 600, 70);
        }
        try (LogStore store = at.open()) {
            LogStore.Recovered r = store.recover();
            assertEquals(600, r.checkpointSize());
            assertEquals(70, r.tail().size(), "only the tail after the checkpoint is read, not the whole log");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void proofsFromTheStoredTilesMatchBruteForceForEverySizeUpTo64AndAcrossTileBoundaries(Kind kind) throws Exception {
        Location at = new Location(kind);
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 600);
            log.checkpoint().toCompletableFuture().join();
        }
        // Reopened, so full tiles come from the store, not from what the writer just produced.
        try (AuditLog log = openLog(at.open())) {
            List<byte[]> hashes = leafHashes(log);
            List<Integer> sizes = new ArrayList<>();
            for (int n = 1; n <= 64; n++) {
                sizes.add(n);
            }
            sizes.addAll(List.of(255, 256, 257, 511, 512, 513, 599, 600));
            for (int n : sizes) {
                List<byte[]> d = hashes.subList(0, n);
                assertArrayEquals(MerkleTest.mth(d), log.rootHash(n), "root of " + n);
                int step = n <= 64 ? 1 : 37;
                for (int m = 0; m < n; m += step) {
                    MerkleTest.assertSameHashes(MerkleTest.path(m, d), log.inclusionProof(m, n), "PATH(" + m + ", " + n + ")");
                    if (m > 0) {
                        MerkleTest.assertSameHashes(MerkleTest.subproof(m, d, true), log.consistencyProof(m, n), "PROOF(" + m + ", " + n + ")");
                    }
                }
            }
        }
    }

    @Test
    void directoryIsLaidOutAsTlogTiles() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        try (AuditLog log = openLog(at.open())) {
            // the first segment is zero-filled in the background; a group that came before it is in place would,
            // by design, write a growing file instead of waiting, and this test is about the layout
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (StoredEntries.segments(at.dir).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            appendConcurrently(log, 0, 70_000 / 100);
            log.checkpoint().toCompletableFuture().join();
        }
        Path d = at.dir;
        assertEquals(256 * 32, Files.size(d.resolve("tile/0/000")));
        assertEquals(256 * 32, Files.size(d.resolve("tile/0/001")));
        assertEquals(188 * 32, Files.size(d.resolve("tile/0/002.p/188")));
        assertEquals(2 * 32, Files.size(d.resolve("tile/1/000.p/2")));
        // each entry is stored once, in entries/ (C2SP bundles are ranges of it, found through entries.idx)
        assertTrue(Files.notExists(d.resolve("tile/entries")));
        // written into a segment zero-filled ahead of the writer (1 MB for a small log), not a growing file
        assertEquals(1 << 20, Files.size(StoredEntries.segments(d).get(0)));
        assertEquals(3 * 8, Files.size(d.resolve(DirectoryLogStore.INDEX)));
        List<byte[]> stored = StoredEntries.read(d);
        Set<String> appended = new HashSet<>();
        for (int i = 0; i < 700; i++) {
            appended.add(new String(entry(i), StandardCharsets.UTF_8));
        }
        assertEquals(appended, new HashSet<>(stored.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList()));
        try (LogStore store = at.open()) {
            store.recover();
            List<byte[]> bundle = store.readBundle(2, 188).orElseThrow();
            assertEquals(188, bundle.size());
            for (int k = 0; k < 188; k++) {
                assertArrayEquals(stored.get(512 + k), bundle.get(k));
            }
            assertTrue(store.readBundle(2, 189).isEmpty(), "no bundle beyond the log");
        }
        String checkpoint = Files.readString(d.resolve("checkpoint"));
        assertTrue(checkpoint.startsWith("cxg.test/audit\n700\n"), checkpoint);
    }

    @Test
    void aCheckpointsPartialTileIsStoredEvenWhenTheDirectoryOfAnEarlierOneWasRemoved() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        Path partials = at.dir.resolve("tile/0/000.p");
        try (AuditLog log = openLog(at.open())) {
            appendConcurrently(log, 0, 10);
            log.checkpoint().toCompletableFuture().join();
            Await.until("the partial tile of size 10 is written", Duration.ofSeconds(30), Duration.ofMillis(5),
                    () -> Files.exists(partials.resolve("10")));
            // as a resume point does once the full tile is durable, while the store knows the directory
            try (var files = Files.list(partials)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(partials);
            appendConcurrently(log, 10, 10);
            log.checkpoint().toCompletableFuture().join();
        }
        assertEquals(20 * 32, Files.size(partials.resolve("20")));
        try (AuditLog log = openLog(at.open())) {
            assertEquals(20, log.size());
            assertTreeIsSound(log);
        }
        try (LogStore store = at.open()) {
            assertEquals(20, store.recover().checkpointSize(), "closing moved the resume point to the last checkpoint");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failsClosedWhenTheStoreRefusesWritesAndRecoversAfterwards(Kind kind) throws Exception {
        Location at = new Location(kind);
        RefusingStore store = new RefusingStore(at.open());
        try (AuditLog log = openLog(store)) {
            appendConcurrently(log, 0, 10);
            if (kind == Kind.POSTGRES) {
                // The database itself refuses: every new row violates a constraint.
                try (Connection c = at.db.getConnection(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE audit_entry ADD CONSTRAINT refuse CHECK (false) NOT VALID");
                }
            } else {
                store.refusing = true;
            }
            CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> log.append(entry(10)).toCompletableFuture().join());
            assertInstanceOf(AuditUnavailableException.class, failure.getCause());
            assertEquals(10, log.size(), "the refused entry is not in the tree");

            if (kind == Kind.POSTGRES) {
                try (Connection c = at.db.getConnection(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE audit_entry DROP CONSTRAINT refuse");
                }
            } else {
                store.refusing = false;
            }
            assertEquals(10L, log.append(entry(11)).toCompletableFuture().join());
            assertTreeIsSound(log);
        }
        try (AuditLog log = openLog(at.open())) {
            assertEquals(11, log.size());
            assertArrayEquals(entry(11), log.entry(10));
        }
    }

    @Test
    void concurrentAppendsShareCommits() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        RefusingStore store = new RefusingStore(at.open());
        try (AuditLog log = openLog(store)) {
            appendConcurrently(log, 0, 2000);
            assertTrue(store.commits.get() < 1000, "2000 appends took " + store.commits.get() + " commits");
        }
    }

    @Test
    void aLoneEntryIsCommittedAtOnceEvenWithACommitDelay() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        try (AuditLog log = AuditLog.open(at.open(), KEY,
                new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64, Duration.ofMinutes(5), 2))) {
            assertEquals(0L, log.append(entry(0)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertEquals(1L, log.append(entry(1)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void underLoadTheWriterWaitsTheCommitDelayAndCommitsLaterEntriesInTheSameGroup() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        GatedCommits store = new GatedCommits(at.open());
        try (AuditLog log = AuditLog.open(store, KEY,
                new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64, Duration.ofSeconds(20), 2))) {
            store.hold();
            CompletableFuture<Long> first = log.append(entry(0)).toCompletableFuture();
            assertTrue(store.gate.entered.await(30, TimeUnit.SECONDS), "first group never reached the store");
            CompletableFuture<Long> second = log.append(entry(1)).toCompletableFuture();
            CompletableFuture<Long> third = log.append(entry(2)).toCompletableFuture();
            store.gate.release();
            // two entries waiting is a group worth delaying: the writer parks instead of committing them
            Await.until("the audit writer waits its commit delay", Duration.ofSeconds(10), Duration.ofMillis(5),
                    () -> Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals("audit-log-writer") && t.getState() == Thread.State.TIMED_WAITING));
            CompletableFuture<Long> late = log.append(entry(3)).toCompletableFuture();
            assertEquals(List.of(0L, 1L, 2L, 3L), List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS),
                    third.get(60, TimeUnit.SECONDS), late.get(60, TimeUnit.SECONDS)));
            assertEquals(List.of(1, 3), store.groups, "group sizes");
        }
    }

    @Test
    void aGroupHoldingEveryCallerInFlightIsCommittedWithoutTheDelay() throws Exception {
        // two waiting is a group worth delaying, but both callers in flight are in it: nobody else can join
        assertEquals(List.of(1, 2), groupsOfTwoQueuedBehindAHeldCommit(2, 2), "group sizes");
    }

    @Test
    void aLoneEntryIsCommittedAtOnceEvenWithManyCallersInFlight() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        try (AuditLog log = AuditLog.open(at.open(), KEY,
                new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64, Duration.ofMinutes(5), 8), () -> 100)) {
            // a hundred slow calls in flight, whose entries come one at a time: none of them waits for the others
            assertEquals(0L, log.append(entry(0)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            assertEquals(1L, log.append(entry(1)).toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void fewerCallersInFlightThanTheCommitSiblingsNeverWait() throws Exception {
        // two more callers could still join, but four in flight is not a busy gateway: no wait
        assertEquals(List.of(1, 2), groupsOfTwoQueuedBehindAHeldCommit(8, 4), "group sizes");
    }

    /**
     * A lone caller's commit is held while two more append with {@code inFlight} callers in flight; then released.
     * With a commit delay of 5 minutes, each append must still be acknowledged within 60 s. Returns the group sizes.
     */
    private List<Integer> groupsOfTwoQueuedBehindAHeldCommit(int commitSiblings, int inFlightThen) throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        GatedCommits store = new GatedCommits(at.open());
        AtomicInteger inFlight = new AtomicInteger(1);
        try (AuditLog log = AuditLog.open(store, KEY,
                new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64, Duration.ofMinutes(5), commitSiblings), inFlight::get)) {
            store.hold();
            CompletableFuture<Long> first = log.append(entry(0)).toCompletableFuture();
            assertTrue(store.gate.entered.await(30, TimeUnit.SECONDS), "a lone caller never waits");
            inFlight.set(inFlightThen);
            CompletableFuture<Long> second = log.append(entry(1)).toCompletableFuture();
            CompletableFuture<Long> third = log.append(entry(2)).toCompletableFuture();
            store.gate.release();
            assertEquals(List.of(0L, 1L, 2L), List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS),
                    third.get(60, TimeUnit.SECONDS)));
            return List.copyOf(store.groups);
        }
    }

    @Test
    void aWaitingGroupIsCommittedOnceTheLastCallerInFlightJoinsIt() throws Exception {
        Location at = new Location(Kind.DIRECTORY);
        GatedCommits store = new GatedCommits(at.open());
        AtomicInteger inFlight = new AtomicInteger(1);
        try (AuditLog log = AuditLog.open(store, KEY,
                new AuditLog.Options("cxg.test/audit", 1000, Duration.ZERO, 64, Duration.ofMinutes(5), 2), inFlight::get)) {
            store.hold();
            CompletableFuture<Long> first = log.append(entry(0)).toCompletableFuture();
            assertTrue(store.gate.entered.await(30, TimeUnit.SECONDS), "a lone caller never waits");
            inFlight.set(3);
            CompletableFuture<Long> second = log.append(entry(1)).toCompletableFuture();
            CompletableFuture<Long> third = log.append(entry(2)).toCompletableFuture();
            store.gate.release();
            // a third caller is in flight: the writer waits for it, and commits as soon as it is in
            Await.until("the audit writer waits for the third caller", Duration.ofSeconds(10), Duration.ofMillis(5),
                    () -> Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals("audit-log-writer") && t.getState() == Thread.State.TIMED_WAITING));
            assertFalse(second.isDone(), "committed before the caller in flight joined");
            CompletableFuture<Long> late = log.append(entry(3)).toCompletableFuture();
            assertEquals(List.of(0L, 1L, 2L, 3L), List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS),
                    third.get(60, TimeUnit.SECONDS), late.get(60, TimeUnit.SECONDS)));
            assertEquals(List.of(1, 3), store.groups, "group sizes");
        }
    }

    /** Holds the first thread that passes after {@link #hold} until {@link #release}; later ones pass freely. */
    static final class Gate {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean holding;

        void hold() {
            holding = true;
        }

        void release() {
            released.countDown();
        }

        void pass() {
            if (holding) {
                holding = false;
                entered.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Delegates to a real store; once told to {@link #hold}, records each group's size and holds the next group until released. */
    static final class GatedCommits extends ForwardingLogStore {
        final Gate gate = new Gate();
        final List<Integer> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean recording;

        GatedCommits(LogStore delegate) {
            super(delegate);
        }

        void hold() {
            recording = true;
            gate.hold();
        }

        @Override
        public void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles) {
            if (recording) {
                groups.add(entries.size());
                gate.pass();
            }
            delegate.commit(firstIndex, entries, fullTiles, fullBundles);
        }
    }

    /** Delegates to a real store; its checkpoints pass through a {@link Gate}. */
    static final class GatedCheckpoints extends ForwardingLogStore {
        final Gate gate = new Gate();

        GatedCheckpoints(LogStore delegate) {
            super(delegate);
        }

        @Override
        public void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
            gate.pass();
            delegate.checkpoint(size, partialTiles, partialBundle, signedNote);
        }
    }

    /** Delegates to a real store; can be told to refuse writes, and counts commits. */
    static final class RefusingStore extends ForwardingLogStore {
        final AtomicInteger commits = new AtomicInteger();
        volatile boolean refusing;

        RefusingStore(LogStore delegate) {
            super(delegate);
        }

        @Override
        public void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles) {
            if (refusing) {
                throw new AuditStoreException("disk refuses writes");
            }
            commits.incrementAndGet();
            delegate.commit(firstIndex, entries, fullTiles, fullBundles);
        }
    }

}
