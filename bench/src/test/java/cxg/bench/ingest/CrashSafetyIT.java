package cxg.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.load.ClientChannels;
import cxg.pki.DevPki;
import cxg.v1.AckStatus;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmitRequest;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of acknowledged submissions: the built gateway runs as its own process, a platform
 * streams signed ratings, the gateway is killed with SIGKILL mid-stream and restarted on the same
 * store. Every acknowledged item must be there exactly once and whole; of the unacknowledged ones,
 * each batch is there entirely or not at all; resubmitting everything then answers DUPLICATE for
 * every acknowledged item and stores each item once. On H2 (file) and on PostgreSQL (a real server
 * started here, outside the gateway process).
 */
class CrashSafetyIT {

    static final int ITEMS = 20_000;
    static final int BATCH = 500;
    /** Acknowledgements to wait for before the kill: well into the stream, well before its end. */
    static final int KILL_AFTER_ACKS = 4_000;

    @TempDir
    static Path work;
    static Path pki;
    static Path repo;
    static Ed25519PrivateKeyParameters key;

    @BeforeAll
    static void prepare() throws Exception {
        repo = Path.of(System.getProperty("cxg.repo", "..")).toAbsolutePath().normalize();
        pki = work.resolve("pki");
        DevPki.init(pki, false);
        key = Ratings.newKey();
        Files.writeString(pki.resolve("alpha-credit.ed25519.pub"), Ratings.publicKeyPem(key));
    }

    @Test
    void everyAcknowledgedItemSurvivesSigkillExactlyOnceOnH2() throws Exception {
        try (BenchStore store = BenchStore.h2(work.resolve("h2"))) {
            crashAndRecover(store);
        }
    }

    @Test
    void everyAcknowledgedItemSurvivesSigkillExactlyOnceOnPostgres() throws Exception {
        try (BenchStore store = BenchStore.postgres()) {
            crashAndRecover(store);
        }
    }

    private void crashAndRecover(BenchStore store) throws Exception {
        Ratings ratings = new Ratings("crash-" + store.name(), Instant.now(), key);
        List<SubmitRequest> batches = ratings.batches(0, ITEMS, BATCH);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        CountDownLatch enough = new CountDownLatch(KILL_AFTER_ACKS);
        AtomicReference<IngestStream.Result> first = new AtomicReference<>();

        GatewayProcess gateway = start(store, "first");
        ManagedChannel channel = channel(gateway);
        Thread streaming = new Thread(() -> {
            try {
                first.set(IngestStream.run(channel, batches, BATCH, 8, ack -> {
                    if (ack.getStatus() == AckStatus.ACCEPTED || ack.getStatus() == AckStatus.DUPLICATE) {
                        acknowledged.add(ack.getItemId());
                    }
                    enough.countDown();
                }));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        streaming.start();
        assertTrue(enough.await(5, TimeUnit.MINUTES), "the gateway acknowledged " + acknowledged.size() + " items; see " + gateway.log());
        gateway.kill();
        streaming.join(TimeUnit.MINUTES.toMillis(2));
        channel.shutdownNow();
        IngestStream.Result cut = first.get();
        assertTrue(cut.error() != null, "the stream must have been cut by the kill");
        assertTrue(acknowledged.size() < ITEMS, "killed mid-stream, not after it");

        // the store as the killed gateway left it (for H2, the file lock died with the process)
        Map<String, byte[]> stored = verifyWholeAndAtomic(store, ratings);
        for (String id : acknowledged) {
            assertTrue(stored.containsKey(id), "acknowledged item " + id + " lost by the crash");
        }

        // restart on the same store and resubmit everything: acknowledged items are duplicates, each item is stored once
        try (GatewayProcess again = start(store, "restarted")) {
            ManagedChannel ch = channel(again);
            Map<String, AckStatus> second = new ConcurrentHashMap<>();
            IngestStream.Result r = IngestStream.run(ch, batches, BATCH, 8, ack -> second.put(ack.getItemId(), ack.getStatus()));
            ch.shutdownNow();
            assertNull(r.error(), "resubmission stream failed; see " + again.log());
            assertEquals(0, r.rejected());
            assertEquals(ITEMS, second.size());
            for (String id : acknowledged) {
                assertEquals(AckStatus.DUPLICATE, second.get(id), id + " was acknowledged before the crash");
            }
            for (String id : stored.keySet()) {
                assertEquals(AckStatus.DUPLICATE, second.get(id), id + " was committed before the crash");
            }
        }
        assertEquals(ITEMS, verifyWholeAndAtomic(store, ratings).size());
    }

    /**
     * Every stored row is whole (its payload is the item it claims, its hash the payload's, its
     * batch row present), and every batch is stored entirely (as many rows as the batch signed
     * hashes). Returns the stored payloads by item id; the primary key makes ids unique.
     */
    private static Map<String, byte[]> verifyWholeAndAtomic(BenchStore store, Ratings ratings) throws Exception {
        Map<String, byte[]> byId = new HashMap<>();
        MessageDigest sha = Ratings.sha256();
        try (Connection c = store.connect();
             PreparedStatement rows = c.prepareStatement("SELECT i.item_id, i.payload, i.content_hash, i.batch_index, b.item_hashes"
                     + " FROM submitted_item i JOIN submission_batch b ON b.id = i.batch_id WHERE i.platform = 'alpha-credit'");
             PreparedStatement batches = c.prepareStatement("SELECT b.id, OCTET_LENGTH(b.item_hashes) / 32, COUNT(i.item_id)"
                     + " FROM submission_batch b LEFT JOIN submitted_item i ON i.batch_id = b.id"
                     + " WHERE b.platform = 'alpha-credit' GROUP BY b.id, OCTET_LENGTH(b.item_hashes)");
             PreparedStatement all = c.prepareStatement("SELECT COUNT(*) FROM submitted_item WHERE platform = 'alpha-credit'")) {
            try (ResultSet rs = rows.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    byte[] payload = rs.getBytes(2);
                    SubmissionItem item = SubmissionItem.parseFrom(payload);
                    assertEquals(id, item.getItemId());
                    int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
                    assertEquals(ratings.item(n), item, id + " is not the item that was sent");
                    byte[] hash = sha.digest(payload);
                    assertArrayEquals(hash, rs.getBytes(3), id + ": content hash");
                    byte[] hashes = rs.getBytes(5);
                    int at = rs.getInt(4);
                    assertArrayEquals(hash, java.util.Arrays.copyOfRange(hashes, 32 * at, 32 * at + 32), id + ": batch proof");
                    byId.put(id, payload);
                }
            }
            try (ResultSet rs = batches.executeQuery()) {
                while (rs.next()) {
                    assertEquals(rs.getLong(2), rs.getLong(3), "batch " + rs.getLong(1) + " is stored in part");
                }
            }
            try (ResultSet rs = all.executeQuery()) {
                rs.next();
                assertEquals(byId.size(), rs.getLong(1), "rows without their batch");
            }
        }
        return byId;
    }

    private static GatewayProcess start(BenchStore store, String name) throws Exception {
        return GatewayProcess.start("gateway-" + store.name() + "-" + name, repo, pki, repo.resolve("policies"),
                work.resolve(store.name()), store.url(), store.user(), List.of(), Duration.ofMinutes(3));
    }

    private static ManagedChannel channel(GatewayProcess gateway) {
        return ClientChannels.open(new InetSocketAddress("127.0.0.1", gateway.grpcPort()),
                ClientChannels.clientContext(pki, "alpha-credit"));
    }
}
