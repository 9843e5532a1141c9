package cxg.gateway.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import cxg.gateway.subject.SubjectId;
import cxg.v1.PlatformRating;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordSubmission;
import cxg.v1.SubmissionItem;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.flywaydb.core.Flyway;

/**
 * The rating and record store: JDBC over embedded H2 (file mode) or PostgreSQL, schema by
 * Flyway. Items are keyed by (platform, item_id) and carry the SHA-256 of their signed
 * payload, so a resubmission is recognised as a duplicate (same hash) or a conflict
 * (different hash). Each {@link #write} is one transaction (group commit): when it returns,
 * every ACCEPTED item of it is committed, and if it throws nothing of it is. Writes are
 * serialised over one connection, which also makes the duplicate check race-free.
 * What "committed" survives on each database is stated in gateway/README.md.
 */
public final class SubmissionStore implements AutoCloseable {

    private static final int IDLE_READERS = 4;
    private static final String ITEM_COLUMNS = "i.platform, i.item_id, i.payload, i.signature, i.batch_index, i.received_at,"
            + " b.signature AS batch_signature, b.item_hashes";

    private final String url;
    private final String user;
    private final String password;
    private final boolean h2;
    private final boolean syncEachCommit;
    /** Guarded by {@link #writeLock}; replaced when the server dropped it (see {@link #reconnectIfLost}). */
    private Connection writer;
    private final Object writeLock = new Object();
    /** Read connections kept between reads: opening one per read costs a TCP connect and login on PostgreSQL. */
    private final BlockingQueue<Connection> idleReaders = new ArrayBlockingQueue<>(IDLE_READERS);
    private volatile boolean closed;

    private SubmissionStore(String url, String user, String password, boolean syncEachCommit) throws SQLException {
        this.url = url;
        this.user = user;
        this.password = password;
        this.h2 = url.startsWith("jdbc:h2:");
        this.syncEachCommit = syncEachCommit;
        this.writer = openWriter();
    }

    private Connection openWriter() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        c.setAutoCommit(false);
        return c;
    }

    /**
     * After a failed write: if the writer's connection is gone (a database restart, a dropped
     * connection), replaces it, so that the store recovers without a gateway restart.
     *
     * @return true if it was gone and a new one is open
     */
    private boolean reconnectIfLost() {
        try {
            if (writer.isValid(2)) {
                return false;
            }
        } catch (SQLException e) {
            // treated as gone
        }
        closeQuietly(writer);
        try {
            writer = openWriter();
            return true;
        } catch (SQLException e) {
            return false; // the next write tries again
        }
    }

    /**
     * Opens the store and migrates its schema. For H2, {@code syncEachCommit} forces every
     * write to the disk ({@code CHECKPOINT SYNC}) before it returns; without it an H2 commit
     * reaches the operating system but not necessarily the disk. PostgreSQL always commits
     * durably (with its default {@code synchronous_commit=on}).
     */
    public static SubmissionStore open(String url, String user, String password, boolean syncEachCommit) {
        Objects.requireNonNull(url, "url");
        String vendor = url.startsWith("jdbc:h2:") ? "h2" : url.startsWith("jdbc:postgresql:") ? "postgresql" : null;
        if (vendor == null) {
            throw new IllegalArgumentException("cxg.store.url must be a jdbc:h2: or jdbc:postgresql: URL");
        }
        try {
            Flyway.configure()
                    .dataSource(url, user, password)
                    .locations("classpath:db/store/" + vendor)
                    .table("cxg_store_schema_history")
                    .load()
                    .migrate();
            return new SubmissionStore(url, user, password, syncEachCommit);
        } catch (SQLException | RuntimeException e) {
            throw new StoreException("cannot open the submission store at cxg.store.url", e);
        }
    }

    /**
     * The embedded default: an H2 database in file mode, {@code <dataDir>/submissions}.
     * {@code WRITE_DELAY=0} makes each commit write its changes to the file before it returns
     * (H2's default would let the background writer do it up to 500 ms later).
     */
    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("submissions") + ";WRITE_DELAY=0";
    }

    /**
     * Writes the items of one request in one transaction, in order, and says what happened
     * to each. {@code batch} is the batch's signature and hashes when the items came in a
     * signed batch, else null.
     *
     * @throws StoreException if the transaction failed; then nothing of it is stored
     */
    public List<WriteOutcome> write(String platform, List<IncomingItem> items, BatchSignature batch, Instant receivedAt) {
        synchronized (writeLock) {
            for (int attempt = 1; ; attempt++) {
                boolean committing = false;
                try {
                    List<WriteOutcome> out = writeInTransaction(platform, items, batch, receivedAt);
                    committing = true;
                    writer.commit();
                    if (h2 && syncEachCommit) {
                        try (Statement s = writer.createStatement()) {
                            s.execute("CHECKPOINT SYNC");
                        }
                    }
                    return out;
                } catch (SQLException | RuntimeException e) {
                    try {
                        writer.rollback();
                    } catch (SQLException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    // before the commit nothing of the transaction can have been stored, so it is safe to write it
                    // again on a new connection; a commit that failed may have been stored, so that one fails
                    if (e instanceof SQLException && reconnectIfLost() && attempt == 1 && !committing) {
                        continue;
                    }
                    throw new StoreException("writing " + items.size() + " items failed", e);
                }
            }
        }
    }

    /** The signature of a signed batch and the hashes it covers, stored once per batch. */
    public record BatchSignature(byte[] signature, List<byte[]> itemHashes) {
    }

    private List<WriteOutcome> writeInTransaction(String platform, List<IncomingItem> items, BatchSignature batch,
                                                  Instant receivedAt) throws SQLException {
        if (items.stream().noneMatch(i -> i.item().hasLift())) {
            return insertAll(platform, items, batch, receivedAt);
        }
        List<WriteOutcome> out = new ArrayList<>(items.size());
        // what is stored already under the batch's ids (and lift targets), read in a few queries, not one per item
        Map<String, byte[]> seen = new HashMap<>();
        Map<String, SubmissionItem.ContentCase> kinds = new HashMap<>();
        prefetch(platform, items, seen, kinds);
        Long batchId = null;
        try (PreparedStatement insert = writer.prepareStatement(INSERT);
             PreparedStatement lift = writer.prepareStatement(
                     "UPDATE submitted_item SET lifted_at = COALESCE(lifted_at, ?), lifted_by = COALESCE(lifted_by, ?)"
                             + " WHERE platform = ? AND item_id = ?")) {
            for (IncomingItem incoming : items) {
                String id = incoming.itemId();
                byte[] existing = seen.get(id);
                if (existing != null) {
                    out.add(Arrays.equals(existing, incoming.contentHash()) ? WriteOutcome.DUPLICATE : WriteOutcome.CONFLICT);
                    continue;
                }
                SubmissionItem item = incoming.item();
                if (item.hasLift()) {
                    String target = item.getLift().getRecordItemId();
                    if (kinds.get(target) != SubmissionItem.ContentCase.RECORD) {
                        out.add(WriteOutcome.NO_SUCH_RECORD);
                        continue;
                    }
                    // flush pending inserts so that a record from this same batch can be lifted
                    insert.executeBatch();
                    lift.setLong(1, millis(item.getLift().getLiftedAt()));
                    lift.setString(2, id);
                    lift.setString(3, platform);
                    lift.setString(4, target);
                    lift.executeUpdate();
                }
                if (batch != null && batchId == null) {
                    batchId = insertBatch(platform, batch, receivedAt);
                }
                bindInsert(insert, platform, incoming, batchId, receivedAt);
                insert.addBatch();
                seen.put(id, incoming.contentHash());
                kinds.put(id, item.getContentCase());
                out.add(WriteOutcome.ACCEPTED);
            }
            insert.executeBatch();
        }
        return out;
    }

    private static final String INSERT = "INSERT INTO submitted_item (platform, item_id, kind, content_hash, payload,"
            + " signature, batch_id, batch_index, received_at, subject_kind, subject_value, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String BULK_INSERT = "INSERT INTO submitted_item (platform, item_id, kind, content_hash, payload,"
            + " signature, batch_id, batch_index, received_at, subject_kind, subject_value, expires_at)"
            + " SELECT ?, u.item_id, u.kind, u.content_hash, u.payload, u.signature, ?, u.batch_index, ?, u.subject_kind,"
            + " u.subject_value, u.expires_at"
            + " FROM unnest(?::varchar[], ?::varchar[], ?::bytea[], ?::bytea[], ?::bytea[], ?::int[], ?::varchar[],"
            + " ?::varchar[], ?::bigint[])"
            + " AS u(item_id, kind, content_hash, payload, signature, batch_index, subject_kind, subject_value, expires_at)"
            + " ON CONFLICT (platform, item_id) DO NOTHING RETURNING item_id";

    /**
     * A request without lifts: every new id inserted at once, with no duplicate check up front (the
     * primary key is the check), and only the ids that were not inserted, the duplicates and
     * conflicts, read back to compare their content hashes. PostgreSQL: one {@code INSERT ... SELECT
     * FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING}, one round trip whatever the size. H2: a
     * JDBC batch, which goes on past a failed row and undoes only that row. Outcomes are the same as
     * the ordered path's.
     */
    private List<WriteOutcome> insertAll(String platform, List<IncomingItem> items, BatchSignature batch,
                                         Instant receivedAt) throws SQLException {
        // the first occurrence of an id in the request is the one that may be stored; later ones compare with it
        Map<String, Integer> firstAt = new HashMap<>();
        List<IncomingItem> firsts = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (firstAt.putIfAbsent(items.get(i).itemId(), i) == null) {
                firsts.add(items.get(i));
            }
        }
        Long batchId = batch == null ? null : insertBatch(platform, batch, receivedAt);
        Set<String> inserted = h2 ? insertH2(platform, firsts, batchId, receivedAt)
                : insertPostgres(platform, firsts, batch != null, batchId, receivedAt);
        if (batchId != null && inserted.isEmpty()) {
            // nothing of the batch was new: keep no signature row that covers no stored item
            try (PreparedStatement drop = writer.prepareStatement("DELETE FROM submission_batch WHERE id = ?")) {
                drop.setLong(1, batchId);
                drop.executeUpdate();
            }
        }
        Map<String, byte[]> stored = new HashMap<>();
        if (inserted.size() < firsts.size()) {
            List<String> existing = new ArrayList<>(firsts.size() - inserted.size());
            for (IncomingItem first : firsts) {
                if (!inserted.contains(first.itemId())) {
                    existing.add(first.itemId());
                }
            }
            Map<String, SubmissionItem.ContentCase> kinds = new HashMap<>();
            lookUp(platform, existing, stored, kinds);
        }
        List<WriteOutcome> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            IncomingItem incoming = items.get(i);
            String id = incoming.itemId();
            int first = firstAt.get(id);
            if (first == i && inserted.contains(id)) {
                out.add(WriteOutcome.ACCEPTED);
                continue;
            }
            byte[] storedHash = inserted.contains(id) ? items.get(first).contentHash() : stored.get(id);
            if (storedHash == null) {
                throw new SQLException("item " + id + " was neither inserted nor found");
            }
            out.add(Arrays.equals(storedHash, incoming.contentHash()) ? WriteOutcome.DUPLICATE : WriteOutcome.CONFLICT);
        }
        return out;
    }

    /**
     * H2: inserts the items as one JDBC batch. H2 runs every row of a batch and undoes only a failed
     * one (an existing key, or any other error), reporting it as {@code EXECUTE_FAILED}: the caller
     * then finds the existing row of each failed id, or fails the whole write if there is none.
     */
    private Set<String> insertH2(String platform, List<IncomingItem> items, Long batchId, Instant receivedAt)
            throws SQLException {
        int[] counts;
        try (PreparedStatement insert = writer.prepareStatement(INSERT)) {
            for (IncomingItem incoming : items) {
                bindInsert(insert, platform, incoming, batchId, receivedAt);
                insert.addBatch();
            }
            try {
                counts = insert.executeBatch();
            } catch (BatchUpdateException e) {
                counts = e.getUpdateCounts();
                if (counts == null || counts.length != items.size()) {
                    throw e;
                }
            }
        }
        Set<String> inserted = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (counts[i] == 1) {
                inserted.add(items.get(i).itemId());
            }
        }
        return inserted;
    }

    private Set<String> insertPostgres(String platform, List<IncomingItem> firsts, boolean inBatch, Long batchId,
                                       Instant receivedAt) throws SQLException {
        int n = firsts.size();
        String[] ids = new String[n];
        String[] kinds = new String[n];
        byte[][] hashes = new byte[n][];
        byte[][] payloads = new byte[n][];
        byte[][] signatures = new byte[n][];
        Integer[] indexes = new Integer[n];
        String[] subjectKinds = new String[n];
        String[] subjectValues = new String[n];
        Long[] expires = new Long[n];
        int k = 0;
        for (IncomingItem incoming : firsts) {
            SubmissionItem item = incoming.item();
            ids[k] = incoming.itemId();
            kinds[k] = item.getContentCase().name();
            hashes[k] = incoming.contentHash();
            payloads[k] = incoming.payload();
            signatures[k] = incoming.signature();
            indexes[k] = inBatch ? incoming.batchIndex() : null;
            cxg.v1.SubjectId subject = subjectOf(item);
            subjectKinds[k] = subject == null ? null : subject.getKind().name();
            subjectValues[k] = subject == null ? null : subject.getValue();
            expires[k] = expiresOf(item);
            k++;
        }
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement insert = writer.prepareStatement(BULK_INSERT)) {
            insert.setString(1, platform);
            if (batchId == null) {
                insert.setNull(2, Types.BIGINT);
            } else {
                insert.setLong(2, batchId);
            }
            insert.setLong(3, receivedAt.toEpochMilli());
            insert.setArray(4, writer.createArrayOf("varchar", ids));
            insert.setArray(5, writer.createArrayOf("varchar", kinds));
            insert.setArray(6, writer.createArrayOf("bytea", hashes));
            insert.setArray(7, writer.createArrayOf("bytea", payloads));
            insert.setArray(8, writer.createArrayOf("bytea", signatures));
            insert.setArray(9, writer.createArrayOf("int4", indexes));
            insert.setArray(10, writer.createArrayOf("varchar", subjectKinds));
            insert.setArray(11, writer.createArrayOf("varchar", subjectValues));
            insert.setArray(12, writer.createArrayOf("int8", expires));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        return inserted;
    }

    /**
     * Reads what is stored under the ids of a request (and its lift targets).
     */
    private void prefetch(String platform, List<IncomingItem> items, Map<String, byte[]> hashes,
                          Map<String, SubmissionItem.ContentCase> kinds) throws SQLException {
        List<String> ids = new ArrayList<>(items.size());
        for (IncomingItem incoming : items) {
            ids.add(incoming.itemId());
            if (incoming.item().hasLift()) {
                ids.add(incoming.item().getLift().getRecordItemId());
            }
        }
        lookUp(platform, ids, hashes, kinds);
    }

    /**
     * Reads the content hash and kind stored under each of {@code ids}. PostgreSQL: one
     * {@code = ANY(array)} query. H2 (in-process, no round trip) looks each id up by the primary key:
     * its planner would scan the platform's rows for an {@code IN} list.
     */
    private void lookUp(String platform, List<String> ids, Map<String, byte[]> hashes,
                        Map<String, SubmissionItem.ContentCase> kinds) throws SQLException {
        if (h2) {
            try (PreparedStatement find = writer.prepareStatement(
                    "SELECT item_id, content_hash, kind FROM submitted_item WHERE platform = ? AND item_id = ?")) {
                find.setString(1, platform);
                for (String id : ids) {
                    find.setString(2, id);
                    read(find, hashes, kinds);
                }
            }
            return;
        }
        try (PreparedStatement find = writer.prepareStatement(
                "SELECT item_id, content_hash, kind FROM submitted_item WHERE platform = ? AND item_id = ANY (?)")) {
            find.setString(1, platform);
            find.setArray(2, writer.createArrayOf("varchar", ids.toArray(new String[0])));
            read(find, hashes, kinds);
        }
    }

    private static void read(PreparedStatement find, Map<String, byte[]> hashes, Map<String, SubmissionItem.ContentCase> kinds)
            throws SQLException {
        try (ResultSet rs = find.executeQuery()) {
            while (rs.next()) {
                hashes.put(rs.getString(1), rs.getBytes(2));
                kinds.put(rs.getString(1), SubmissionItem.ContentCase.valueOf(rs.getString(3)));
            }
        }
    }

    private long insertBatch(String platform, BatchSignature batch, Instant receivedAt) throws SQLException {
        byte[] hashes = StoredProof.ofBatch(batch.signature(), batch.itemHashes(), 0).batchHashBytes();
        try (PreparedStatement ps = writer.prepareStatement(
                "INSERT INTO submission_batch (platform, signature, item_hashes, received_at) VALUES (?, ?, ?, ?)",
                new String[] {"id"})) {
            ps.setString(1, platform);
            ps.setBytes(2, batch.signature());
            ps.setBytes(3, hashes);
            ps.setLong(4, receivedAt.toEpochMilli());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The subject a rating or record is about; null for a lift. */
    private static cxg.v1.SubjectId subjectOf(SubmissionItem item) {
        return item.hasRating() ? item.getRating().getSubject() : item.hasRecord() ? item.getRecord().getSubject() : null;
    }

    /** When a rating or record stops being served (epoch millis); null when it does not expire. */
    private static Long expiresOf(SubmissionItem item) {
        if (item.hasRating()) {
            return millis(item.getRating().getValidUntil());
        }
        RecordSubmission r = item.getRecord();
        return item.hasRecord() && r.hasExpiresAt() ? millis(r.getExpiresAt()) : null;
    }

    private static void bindInsert(PreparedStatement ps, String platform, IncomingItem incoming, Long batchId,
                                   Instant receivedAt) throws SQLException {
        SubmissionItem item = incoming.item();
        ps.setString(1, platform);
        ps.setString(2, incoming.itemId());
        ps.setString(3, item.getContentCase().name());
        ps.setBytes(4, incoming.contentHash());
        ps.setBytes(5, incoming.payload());
        ps.setBytes(6, incoming.signature());
        if (batchId == null) {
            ps.setNull(7, Types.BIGINT);
            ps.setNull(8, Types.INTEGER);
        } else {
            ps.setLong(7, batchId);
            ps.setInt(8, incoming.batchIndex());
        }
        ps.setLong(9, receivedAt.toEpochMilli());
        cxg.v1.SubjectId subject = subjectOf(item);
        Long expires = expiresOf(item);
        if (subject == null) {
            ps.setNull(10, Types.VARCHAR);
            ps.setNull(11, Types.VARCHAR);
        } else {
            ps.setString(10, subject.getKind().name());
            ps.setString(11, subject.getValue());
        }
        if (expires == null) {
            ps.setNull(12, Types.BIGINT);
        } else {
            ps.setLong(12, expires);
        }
    }

    /** The subject's ratings still valid at {@code now}, from every platform. */
    public List<StoredRating> ratings(SubjectId subject, Instant now) {
        List<StoredRating> out = new ArrayList<>();
        for (Row row : rows(subject, "RATING", "AND i.expires_at > ?", now)) {
            out.add(new StoredRating(row.platform, row.itemId, row.item.getRating(), row.receivedAt, row.proof));
        }
        return out;
    }

    /**
     * The newest (by computed-at) still-valid rating of each platform about the subject, as
     * the platform sent it, keyed by platform. For the score report's stored values.
     */
    public Map<String, PlatformRating> newestByPlatform(SubjectId subject, Instant now) {
        Map<String, PlatformRating> newest = new HashMap<>();
        for (StoredRating stored : ratings(subject, now)) {
            RatingSubmission r = stored.rating();
            PlatformRating kept = newest.get(stored.platform());
            if (kept == null || later(r.getComputedAt(), kept.getComputedAt())) {
                newest.put(stored.platform(), PlatformRating.newBuilder().setPlatform(stored.platform())
                        .setValue(r.getValue()).setScaleId(r.getScaleId()).setTier(r.getTier())
                        .setComputedAt(r.getComputedAt()).setValidUntil(r.getValidUntil())
                        .addAllFactors(r.getFactorsList()).putAllAttributes(r.getAttributesMap()).build());
            }
        }
        return newest;
    }

    private static boolean later(Timestamp a, Timestamp b) {
        return a.getSeconds() != b.getSeconds() ? a.getSeconds() > b.getSeconds() : a.getNanos() > b.getNanos();
    }

    /** The subject's records that are neither lifted nor expired at {@code now}. */
    public List<StoredRecord> records(SubjectId subject, Instant now) {
        List<StoredRecord> out = new ArrayList<>();
        for (Row row : rows(subject, "RECORD", "AND i.lifted_at IS NULL AND (i.expires_at IS NULL OR i.expires_at > ?)", now)) {
            out.add(new StoredRecord(row.platform, row.itemId, row.item.getRecord(), row.receivedAt, row.proof));
        }
        return out;
    }

    /**
     * What one retention run removed: items, and the batch signature rows left covering none of the
     * remaining items (not items, so not in {@link #total()}).
     */
    public record Removed(int ratings, int records, int lifts, int batchSignatures) {
        public int total() {
            return ratings + records + lifts;
        }
    }

    /**
     * Deletes, in one transaction, ratings and records that expired before {@code expiredBefore},
     * records lifted before {@code liftedBefore}, the lifts that lifted them, and the batch signatures
     * that no longer cover any stored item. None of them is served any more; this only ends their keeping.
     */
    public Removed deleteEnded(Instant expiredBefore, Instant liftedBefore) {
        synchronized (writeLock) {
            try (PreparedStatement lifts = writer.prepareStatement(
                         "DELETE FROM submitted_item WHERE kind = 'LIFT' AND (platform, item_id) IN (SELECT platform, lifted_by"
                                 + " FROM submitted_item WHERE kind = 'RECORD' AND lifted_at IS NOT NULL AND lifted_at < ?)");
                 PreparedStatement items = writer.prepareStatement(
                         "DELETE FROM submitted_item WHERE kind = ?"
                                 + " AND ((expires_at IS NOT NULL AND expires_at < ?) OR (lifted_at IS NOT NULL AND lifted_at < ?))");
                 // one pass over the items (there is no index on batch_id, which would slow every insert down)
                 PreparedStatement orphans = writer.prepareStatement(
                         "DELETE FROM submission_batch WHERE id NOT IN"
                                 + " (SELECT DISTINCT batch_id FROM submitted_item WHERE batch_id IS NOT NULL)")) {
                lifts.setLong(1, liftedBefore.toEpochMilli());
                int removedLifts = lifts.executeUpdate();
                int[] removed = new int[2];
                String[] kinds = {"RATING", "RECORD"};
                for (int k = 0; k < kinds.length; k++) {
                    items.setString(1, kinds[k]);
                    items.setLong(2, expiredBefore.toEpochMilli());
                    items.setLong(3, liftedBefore.toEpochMilli());
                    removed[k] = items.executeUpdate();
                }
                int removedBatches = orphans.executeUpdate();
                writer.commit();
                return new Removed(removed[0], removed[1], removedLifts, removedBatches);
            } catch (SQLException e) {
                try {
                    writer.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                reconnectIfLost();
                throw new StoreException("retention delete failed", e);
            }
        }
    }

    /** How many items (of any kind) this platform has stored; for tests and the demo summary. */
    public long count(String platform) {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM submitted_item WHERE platform = ?")) {
            ps.setString(1, platform);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("count failed", e);
        }
    }

    private record Row(String platform, String itemId, SubmissionItem item, Instant receivedAt, StoredProof proof) {
    }

    private List<Row> rows(SubjectId subject, String kind, String condition, Instant now) {
        String sql = "SELECT " + ITEM_COLUMNS + " FROM submitted_item i LEFT JOIN submission_batch b ON b.id = i.batch_id"
                + " WHERE i.subject_value = ? AND i.subject_kind = ? AND i.kind = ? " + condition
                + " ORDER BY i.platform, i.received_at, i.item_id";
        Connection pooled = idleReaders.poll();
        if (pooled != null) {
            try {
                return readAndRelease(pooled, sql, subject, kind, now);
            } catch (SQLException e) {
                // e.g. the database restarted since this connection was last used: a read is safe to repeat once
            }
        }
        try {
            return readAndRelease(DriverManager.getConnection(url, user, password), sql, subject, kind, now);
        } catch (SQLException e) {
            throw new StoreException("reading stored items failed", e);
        }
    }

    /** Reads through {@code c}, then keeps it for the next read, or closes it if anything failed. */
    private List<Row> readAndRelease(Connection c, String sql, SubjectId subject, String kind, Instant now) throws SQLException {
        boolean ok = false;
        try {
            List<Row> out = rows(c, sql, subject, kind, now);
            ok = true;
            return out;
        } finally {
            if (ok) {
                release(c);
            } else {
                closeQuietly(c);
            }
        }
    }

    private static List<Row> rows(Connection c, String sql, SubjectId subject, String kind, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, subject.value());
            ps.setString(2, subject.kind().name());
            ps.setString(3, kind);
            ps.setLong(4, now.toEpochMilli());
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] batchSignature = rs.getBytes("batch_signature");
                    StoredProof proof = batchSignature == null
                            ? StoredProof.ofItem(rs.getBytes("signature"))
                            : StoredProof.ofBatch(batchSignature, StoredProof.splitHashes(rs.getBytes("item_hashes")),
                                    rs.getInt("batch_index"));
                    out.add(new Row(rs.getString("platform"), rs.getString("item_id"),
                            SubmissionItem.parseFrom(rs.getBytes("payload")),
                            Instant.ofEpochMilli(rs.getLong("received_at")), proof));
                }
            }
            return out;
        } catch (InvalidProtocolBufferException e) {
            throw new StoreException("reading stored items failed", e);
        }
    }

    /** Keeps a read connection for the next read, up to {@link #IDLE_READERS}; closes it after {@link #close}. */
    private void release(Connection c) {
        if (!idleReaders.offer(c)) {
            closeQuietly(c);
        } else if (closed && idleReaders.remove(c)) {
            closeQuietly(c); // raced with close()
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is being discarded; nothing was written through it
        }
    }

    private static long millis(Timestamp t) {
        return t.getSeconds() * 1000L + t.getNanos() / 1_000_000;
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c; (c = idleReaders.poll()) != null; ) {
            closeQuietly(c);
        }
        synchronized (writeLock) {
            try {
                writer.close();
            } catch (SQLException e) {
                throw new StoreException("closing the store failed", e);
            }
        }
    }
}
