package cxg.gateway.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The production store: PostgreSQL through JDBC. One transaction per group commit holds the
 * group's entries and the full tiles they complete; a checkpoint's transaction holds its note
 * and partial tiles. Entry bundles are read back from the entry rows. A group is acknowledged when
 * its COMMIT returns, so it is as durable as the server's {@code synchronous_commit} makes commits
 * (keep it {@code on}, the default). Opened with {@code synchronousCommit} false (benchmarks only,
 * {@code cxg.audit.fsync=false}) the writer's session sets {@code synchronous_commit = off}: COMMIT returns
 * before its WAL is flushed, so an acknowledged entry is not durable.
 */
public final class PostgresLogStore implements LogStore {

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS audit_entry (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)",
        "CREATE TABLE IF NOT EXISTS audit_tile (level INT NOT NULL, idx BIGINT NOT NULL, width INT NOT NULL,"
                + " data BYTEA NOT NULL, PRIMARY KEY (level, idx, width))",
        "CREATE TABLE IF NOT EXISTS audit_checkpoint (size BIGINT PRIMARY KEY, note TEXT NOT NULL,"
                + " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    };

    private final DataSource dataSource;
    private final boolean synchronousCommit;
    private final Object readLock = new Object();
    private Connection writer;
    private Connection reader;

    private PostgresLogStore(DataSource dataSource, boolean synchronousCommit) {
        this.dataSource = dataSource;
        this.synchronousCommit = synchronousCommit;
    }

    /** Opens the store, creating its tables when missing. */
    public static PostgresLogStore open(DataSource dataSource) {
        return open(dataSource, true);
    }

    /** {@code synchronousCommit} false: the writer commits with {@code synchronous_commit = off} (benchmarks only). */
    public static PostgresLogStore open(DataSource dataSource, boolean synchronousCommit) {
        PostgresLogStore store = new PostgresLogStore(dataSource, synchronousCommit);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : SCHEMA) {
                s.execute(ddl);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("cannot create the audit tables", e);
        }
        return store;
    }

    private Connection writer() throws SQLException {
        if (writer == null) {
            writer = dataSource.getConnection();
            if (!synchronousCommit) {
                try (Statement s = writer.createStatement()) {
                    s.execute("SET synchronous_commit = off");
                }
            }
            writer.setAutoCommit(false);
        }
        return writer;
    }

    /** After a failure the connection may be broken; the next write opens a new one. */
    private void dropWriter() {
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
        writer = null;
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    /** Reads share one connection (reads are short and cached above); a broken one is replaced once. */
    private <T> T read(Query<T> q) throws SQLException {
        synchronized (readLock) {
            for (int attempt = 0; ; attempt++) {
                try {
                    if (reader == null) {
                        reader = dataSource.getConnection();
                    }
                    return q.run(reader);
                } catch (SQLException e) {
                    try {
                        reader.close();
                    } catch (SQLException | RuntimeException ignored) {
                        // replaced below
                    }
                    reader = null;
                    if (attempt > 0) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public synchronized Recovered recover() {
        try (Connection c = dataSource.getConnection()) {
            long size = 0;
            Optional<String> note = Optional.empty();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT size, note FROM audit_checkpoint ORDER BY size DESC LIMIT 1")) {
                if (rs.next()) {
                    size = rs.getLong(1);
                    note = Optional.of(rs.getString(2));
                }
            }
            List<byte[]> tail = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT idx, data FROM audit_entry WHERE idx >= ? ORDER BY idx")) {
                ps.setLong(1, size);
                try (ResultSet rs = ps.executeQuery()) {
                    long expected = size;
                    while (rs.next()) {
                        if (rs.getLong(1) != expected++) {
                            throw new AuditStoreException("audit_entry has a gap at index " + (expected - 1));
                        }
                        tail.add(rs.getBytes(2));
                    }
                }
            }
            return new Recovered(size, note, tail);
        } catch (SQLException e) {
            throw new AuditStoreException("cannot recover the audit log", e);
        }
    }

    @Override
    public synchronized void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles) {
        try {
            Connection c = writer();
            try {
                if (!entries.isEmpty()) {
                    // One statement for the whole group (two arrays, unnested by the server): one round trip and
                    // one plan instead of a row-at-a-time batch.
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO audit_entry (idx, data) SELECT ? + n - 1, d FROM unnest(?::bytea[]) WITH ORDINALITY AS t(d, n)")) {
                        ps.setLong(1, firstIndex);
                        ps.setArray(2, c.createArrayOf("bytea", entries.toArray(new byte[0][])));
                        ps.executeUpdate();
                    }
                }
                insertTiles(c, fullTiles);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                dropWriter();
                throw e;
            }
        } catch (SQLException e) {
            throw new AuditStoreException("cannot make audit entries durable", e);
        }
    }

    private static void insertTiles(Connection c, List<Tile> tiles) throws SQLException {
        if (tiles.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_tile (level, idx, width, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Tile t : tiles) {
                ps.setInt(1, t.level());
                ps.setLong(2, t.index());
                ps.setInt(3, t.width());
                ps.setBytes(4, t.data());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public synchronized void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
        try {
            Connection c = writer();
            try {
                insertTiles(c, partialTiles);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO audit_checkpoint (size, note) VALUES (?, ?)"
                                + " ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note, created_at = now()")) {
                    ps.setLong(1, size);
                    ps.setString(2, signedNote);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                dropWriter();
                throw e;
            }
        } catch (SQLException e) {
            throw new AuditStoreException("cannot store audit checkpoint", e);
        }
    }

    @Override
    public Optional<byte[]> readTile(int level, long index, int width) {
        try {
            return read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT data FROM audit_tile WHERE level = ? AND idx = ? AND width = ?")) {
                    ps.setInt(1, level);
                    ps.setLong(2, index);
                    ps.setInt(3, width);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new AuditStoreException("cannot read an audit tile", e);
        }
    }

    /**
     * All of a proof's missing tiles in one query. One primary-key condition per
     * tile (a proof needs a handful), so that every plan is index lookups; arrays joined by unnest were planned
     * as a scan of the table.
     */
    @Override
    public Map<TileId, byte[]> readFullTiles(Collection<TileId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        if (ids.size() == 1) {
            // the usual cold proof at 1M entries: one level-0 tile, one primary-key lookup
            TileId id = ids.iterator().next();
            return readTile(id.level(), id.index(), Tiles.WIDTH).map(data -> Map.of(id, data)).orElse(Map.of());
        }
        StringBuilder sql = new StringBuilder("SELECT level, idx, data FROM audit_tile WHERE width = ")
                .append(Tiles.WIDTH).append(" AND (");
        for (int i = 0; i < ids.size(); i++) {
            sql.append(i == 0 ? "" : " OR ").append("(level = ? AND idx = ?)");
        }
        sql.append(')');
        try {
            return read(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    int p = 1;
                    for (TileId id : ids) {
                        ps.setInt(p++, id.level());
                        ps.setLong(p++, id.index());
                    }
                    Map<TileId, byte[]> out = new HashMap<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(new TileId(rs.getInt(1), rs.getLong(2)), rs.getBytes(3));
                        }
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw new AuditStoreException("cannot read audit tiles", e);
        }
    }

    @Override
    public Optional<List<byte[]>> readBundle(long index, int width) {
        long first = index * Tiles.WIDTH;
        try {
            return read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT data FROM audit_entry WHERE idx >= ? AND idx < ? ORDER BY idx")) {
                    ps.setLong(1, first);
                    ps.setLong(2, first + width);
                    List<byte[]> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getBytes(1));
                        }
                    }
                    return out.size() == width ? Optional.of(out) : Optional.<List<byte[]>>empty();
                }
            });
        } catch (SQLException e) {
            throw new AuditStoreException("cannot read audit entries", e);
        }
    }

    @Override
    public List<String> checkpoints() {
        try {
            return read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT note FROM audit_checkpoint ORDER BY size")) {
                    List<String> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw new AuditStoreException("cannot read audit checkpoints", e);
        }
    }

    @Override
    public synchronized void close() {
        dropWriter();
        synchronized (readLock) {
            try {
                if (reader != null) {
                    reader.close();
                }
            } catch (SQLException ignored) {
                // closing anyway
            }
            reader = null;
        }
    }
}
