package cxg.bench.ingest;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The baseline: the same store's raw JDBC batch-insert rate into the gateway's own table, rows
 * of the same shape and payloads as the gateway stores, {@code batchSize} rows (and one batch
 * signature row) per commit, on one connection: what the database can take with no gateway in front.
 */
public final class RawInsert {

    private RawInsert() {
    }

    /** Inserts the payloads under platform {@code platform}; returns rows per second. */
    public static double rowsPerSecond(BenchStore store, String platform, List<byte[]> payloads, List<String> subjects,
                                       int batchSize)
            throws SQLException {
        MessageDigest sha = Ratings.sha256();
        byte[] signature = new byte[64];
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement batchRow = c.prepareStatement(
                    "INSERT INTO submission_batch (platform, signature, item_hashes, received_at) VALUES (?, ?, ?, ?)",
                    new String[] {"id"});
                 PreparedStatement insert = c.prepareStatement(
                         "INSERT INTO submitted_item (platform, item_id, kind, content_hash, payload, signature, batch_id,"
                                 + " batch_index, received_at, subject_kind, subject_value, expires_at)"
                                 + " VALUES (?, ?, 'RATING', ?, ?, NULL, ?, ?, ?, 'RESIDENT_ID', ?, ?)")) {
                for (int from = 0; from < payloads.size(); from += batchSize) {
                    int to = Math.min(payloads.size(), from + batchSize);
                    long now = System.currentTimeMillis();
                    byte[][] hashes = new byte[to - from][];
                    for (int i = from; i < to; i++) {
                        hashes[i - from] = sha.digest(payloads.get(i));
                    }
                    byte[] joined = new byte[32 * hashes.length];
                    for (int k = 0; k < hashes.length; k++) {
                        System.arraycopy(hashes[k], 0, joined, 32 * k, 32);
                    }
                    batchRow.setString(1, platform);
                    batchRow.setBytes(2, signature);
                    batchRow.setBytes(3, joined);
                    batchRow.setLong(4, now);
                    batchRow.executeUpdate();
                    long batchId;
                    try (ResultSet keys = batchRow.getGeneratedKeys()) {
                        keys.next();
                        batchId = keys.getLong(1);
                    }
                    for (int i = from; i < to; i++) {
                        insert.setString(1, platform);
                        insert.setString(2, platform + "-" + i);
                        insert.setBytes(3, hashes[i - from]);
                        insert.setBytes(4, payloads.get(i));
                        insert.setLong(5, batchId);
                        insert.setInt(6, i - from);
                        insert.setLong(7, now);
                        insert.setString(8, subjects.get(i));
                        insert.setLong(9, now + 86_400_000L * 90);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    c.commit();
                }
            }
            return payloads.size() / ((System.nanoTime() - start) / 1e9);
        }
    }
}
