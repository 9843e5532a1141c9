package cxg.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The append-only audit log: an RFC 6962 Merkle tree stored as C2SP tlog-tiles in a
 * {@link LogStore}. One writer thread takes every pending append, makes the group durable with
 * one store commit (one fsync or one transaction), and only then completes the appends' futures
 * with their indexes. If the store fails, the group's appends complete exceptionally with
 * {@link AuditUnavailableException} and nothing of the group is visible (fail closed).
 * Checkpoints are signed at a fixed interval (when the tree grew) and on demand, by a checkpointer thread:
 * the writer only hands it the tree as of the groups committed so far (a published {@link TreeEdge} is
 * never changed again), so the checkpoint's signing and fsyncs never hold a group commit behind them.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());

    /**
     * @param origin checkpoint origin line and key name, e.g. {@code cxg.example/audit}
     * @param maxBatch most entries in one group commit
     * @param checkpointInterval how often a grown tree gets a signed checkpoint; zero disables the timer
     * @param tileCacheSize full tiles kept in memory with their inner hashes (16 KB each), for proofs
     * @param commitDelay the longest the writer waits for more appends before committing a group (zero: never waits),
     *                    when {@code commitSiblings} says so. Under load each group's fsync is shared by more entries.
     * @param commitSiblings when the writer waits: opened without the number of callers in flight, once the group has
     *                       this many entries (a lone entry is committed at once); opened with it (see
     *                       {@link #open(LogStore, NoteSigner, Options, IntSupplier)}), once the group has two entries
     *                       while at least this many callers are in flight and some of them are not yet in the group
     */
    public record Options(String origin, int maxBatch, Duration checkpointInterval, int tileCacheSize,
                          Duration commitDelay, int commitSiblings) {

        public Options {
            if (commitDelay.isNegative()) {
                throw new IllegalArgumentException("commit delay must not be negative: " + commitDelay);
            }
            if (commitSiblings < 1) {
                throw new IllegalArgumentException("commit siblings must be at least 1: " + commitSiblings);
            }
        }

        /** Without a commit delay. */
        public Options(String origin, int maxBatch, Duration checkpointInterval, int tileCacheSize) {
            this(origin, maxBatch, checkpointInterval, tileCacheSize, Duration.ZERO, 1);
        }

        public static Options defaults(String origin) {
            return new Options(origin, 4096, Duration.ofSeconds(1), 4096);
        }

        /** {@link #defaults} with the gateway's default commit delay and siblings (AuditConfiguration). */
        public static Options gatewayGrouping(String origin) {
            return new Options(origin, 4096, Duration.ofSeconds(1), 4096, GATEWAY_COMMIT_DELAY, GATEWAY_COMMIT_SIBLINGS);
        }

        static final Duration GATEWAY_COMMIT_DELAY = Duration.ofMillis(2);
        static final int GATEWAY_COMMIT_SIBLINGS = 8;
    }

    private sealed interface Request permits Append, CheckpointRequest, Stop {
    }

    /** The leaf hash is computed by the appending thread, off the single writer. */
    private record Append(byte[] entry, byte[] leafHash, CompletableFuture<Long> done) implements Request {
    }

    private record CheckpointRequest(CompletableFuture<SignedCheckpoint> done, boolean onlyIfGrown) implements Request {
    }

    private record Stop() implements Request {
    }

    private static final byte[] PLACEHOLDER = new byte[Merkle.HASH_SIZE];
    /** How often a waiting writer looks whether every caller in flight has joined its group. */
    private static final long JOIN_CHECK_NANOS = 250_000;

    private final LogStore store;
    private final NoteSigner signer;
    private final Options options;
    private final Clock clock;
    /** Callers in flight whose entries may still join a group (each counts until its entry is durable), or null: unknown. */
    private final IntSupplier callersInFlight;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Map<Long, byte[]> tileCache;
    private final Thread writer;
    private final Thread ticker;
    /** Signs and stores checkpoints, one at a time and in order, off the writer thread. */
    private final java.util.concurrent.ExecutorService checkpointer;
    private volatile TreeEdge edge;
    private volatile SignedCheckpoint latest;
    private volatile boolean closed;

    private AuditLog(LogStore store, NoteSigner signer, Options options, Clock clock, IntSupplier callersInFlight) {
        this.store = store;
        this.signer = signer;
        this.options = options;
        this.clock = clock;
        this.callersInFlight = callersInFlight;
        int cacheSize = options.tileCacheSize();
        this.tileCache = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > cacheSize;
            }
        });
        this.writer = new Thread(this::writeLoop, "audit-log-writer");
        this.writer.setDaemon(true);
        this.ticker = new Thread(this::tick, "audit-log-checkpoint-timer");
        this.ticker.setDaemon(true);
        this.checkpointer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audit-log-checkpointer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the log on {@code store}: resumes from the last stored checkpoint (reading only its partial
     * tiles), replays the entries made durable after it, and signs a checkpoint for the recovered size.
     */
    public static AuditLog open(LogStore store, NoteSigner signer, Options options) {
        return open(store, signer, options, Clock.systemUTC());
    }

    /**
     * {@link #open(LogStore, NoteSigner, Options)} knowing how many callers are in flight: each from before its append
     * until its entry is durable (the gateway's admitted queries). The commit delay then applies to a group of at least
     * two from {@code commitSiblings} callers in flight, and only while some of them are not yet in the group.
     */
    public static AuditLog open(LogStore store, NoteSigner signer, Options options, IntSupplier callersInFlight) {
        return open(store, signer, options, Clock.systemUTC(), callersInFlight);
    }

    public static AuditLog open(LogStore store, NoteSigner signer, Options options, Clock clock) {
        return open(store, signer, options, clock, null);
    }

    private static AuditLog open(LogStore store, NoteSigner signer, Options options, Clock clock, IntSupplier callersInFlight) {
        AuditLog log = new AuditLog(store, signer, options, clock, callersInFlight);
        log.resume();
        log.writer.start();
        if (!options.checkpointInterval().isZero()) {
            log.ticker.start();
        }
        return log;
    }

    private void resume() {
        LogStore.Recovered r = store.recover();
        long size = r.checkpointSize();
        List<byte[]> partials = new ArrayList<>();
        for (int level = 0; level < Tiles.levels(size); level++) {
            int width = Tiles.partialWidth(level, size);
            partials.add(width == 0 ? new byte[0] : readTileOrFull(level, Tiles.partialIndex(level, size), width));
        }
        int bundleWidth = Tiles.partialWidth(0, size);
        long bundleIndex = Tiles.partialIndex(0, size);
        List<byte[]> bundle = bundleWidth == 0 ? List.of()
                : store.readBundle(bundleIndex, bundleWidth)
                        .or(() -> store.readBundle(bundleIndex, Tiles.WIDTH).map(full -> full.subList(0, bundleWidth)))
                        .orElseThrow(() -> new AuditStoreException("partial bundle of checkpoint " + size + " is missing"));
        TreeEdge restored = TreeEdge.restore(size, partials, bundle);
        if (r.checkpoint().isPresent()) {
            Checkpoint cp = Checkpoint.parse(r.checkpoint().get().substring(0, r.checkpoint().get().lastIndexOf("\n\n") + 1));
            this.edge = restored;
            if (!java.util.Arrays.equals(cp.rootHash(), rootHash(size))) {
                throw new AuditStoreException("stored tiles do not match the last checkpoint of size " + size);
            }
        }
        List<Tile> tiles = new ArrayList<>();
        List<Bundle> bundles = new ArrayList<>();
        TreeEdge.Growth replay = restored.grow();
        for (byte[] e : r.tail()) {
            replay.append(e, tiles, bundles);
        }
        store.commit(size, List.of(), tiles, bundles);
        this.edge = replay.edge();
        if (r.checkpoint().isEmpty() || !r.tail().isEmpty()) {
            signCheckpoint(edge);
        } else {
            String note = r.checkpoint().get();
            this.latest = new SignedCheckpoint(size, rootHash(size), note, clock.instant());
        }
    }

    private byte[] readTileOrFull(int level, long index, int width) {
        return store.readTile(level, index, width)
                .or(() -> store.readTile(level, index, Tiles.WIDTH).map(full -> java.util.Arrays.copyOf(full, width * Merkle.HASH_SIZE)))
                .orElseThrow(() -> new AuditStoreException("tile " + Tiles.tilePath(level, index, width) + " is missing"));
    }

    /** Appends an entry; completes with its index once it is durable, or with {@link AuditUnavailableException}. */
    public CompletionStage<Long> append(byte[] entry) {
        return append(entry, true);
    }

    /** {@link #append} of bytes the caller hands over and never touches again (an entry just encoded): no defensive copy. */
    CompletableFuture<Long> appendOwned(byte[] entry) {
        return append(entry, false);
    }

    private CompletableFuture<Long> append(byte[] entry, boolean copy) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (entry.length > Tiles.MAX_ENTRY_SIZE) {
            done.completeExceptionally(new IllegalArgumentException("audit entry of " + entry.length + " bytes exceeds " + Tiles.MAX_ENTRY_SIZE));
        } else if (closed) {
            done.completeExceptionally(new AuditUnavailableException("audit log is closed", null));
        } else {
            byte[] bytes = copy ? entry.clone() : entry;
            queue.add(new Append(bytes, Merkle.leafHash(bytes), done));
        }
        return done;
    }

    /** Signs and stores a checkpoint of the current tree now. */
    public CompletionStage<SignedCheckpoint> checkpoint() {
        CompletableFuture<SignedCheckpoint> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new AuditUnavailableException("audit log is closed", null));
        } else {
            queue.add(new CheckpointRequest(done, false));
        }
        return done;
    }

    private void tick() {
        long millis = options.checkpointInterval().toMillis();
        while (!closed) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            queue.add(new CheckpointRequest(new CompletableFuture<>(), true));
        }
    }

    private void writeLoop() {
        long delayNanos = options.commitDelay().toNanos();
        List<Request> batch = new ArrayList<>();
        List<Append> appends = new ArrayList<>();
        List<CheckpointRequest> checkpoints = new ArrayList<>();
        while (true) {
            batch.clear();
            appends.clear();
            checkpoints.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                failPending(new AuditUnavailableException("audit log writer stopped", e));
                return;
            }
            queue.drainTo(batch, options.maxBatch() - 1);
            if (delayNanos > 0 && worthWaiting(batch)) {
                long deadline = System.nanoTime() + delayNanos;
                long step = callersInFlight == null ? delayNanos : JOIN_CHECK_NANOS;
                for (long left = delayNanos; left > 0 && batch.size() < options.maxBatch() && othersInFlight(batch);
                     left = deadline - System.nanoTime()) {
                    LockSupport.parkNanos(Math.min(step, left));
                    queue.drainTo(batch, options.maxBatch() - batch.size());
                }
            }
            boolean stop = false;
            for (int i = 0; i < batch.size(); i++) {
                Request r = batch.get(i);
                if (r instanceof Append a) {
                    appends.add(a);
                } else if (r instanceof CheckpointRequest c) {
                    checkpoints.add(c);
                } else {
                    stop = true;
                }
            }
            if (!appends.isEmpty()) {
                commit(appends);
            }
            for (CheckpointRequest c : checkpoints) {
                // the tree as of every group committed so far, including any append queued before the request
                TreeEdge snapshot = edge;
                try {
                    checkpointer.execute(() -> storeCheckpoint(snapshot, c));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    c.done().completeExceptionally(new AuditUnavailableException("audit log is closed", e));
                }
            }
            if (stop) {
                failPending(new AuditUnavailableException("audit log is closed", null));
                return;
            }
        }
    }

    /**
     * Whether to wait for more entries: with the number of callers in flight unknown, once the group has
     * {@code commitSiblings} entries; with it, once the group has two (entries arrive close together) while at least
     * {@code commitSiblings} callers are in flight and not all in the group. Few callers do not wait, as with
     * PostgreSQL's commit_siblings: when the gateway is far from busy a wait saves no CPU anyone needs, and every call
     * pays it (bench/JOURNAL.md, "The commit delay and a few callers"); nor a lone entry among many slow calls in flight.
     */
    private boolean worthWaiting(List<Request> batch) {
        if (callersInFlight == null) {
            return batch.size() >= options.commitSiblings() && !closing(batch);
        }
        return batch.size() >= 2 && callersInFlight.getAsInt() >= options.commitSiblings() && othersInFlight(batch);
    }

    /** Whether a caller in flight is not in {@code batch} yet (always, when the number in flight is unknown). */
    private boolean othersInFlight(List<Request> batch) {
        return !closing(batch) && (callersInFlight == null || callersInFlight.getAsInt() > batch.size());
    }

    /** A stop is the last request ever queued: closing never waits for callers. */
    private static boolean closing(List<Request> batch) {
        return batch.get(batch.size() - 1) instanceof Stop;
    }

    private void commit(List<Append> appends) {
        TreeEdge current = edge;
        TreeEdge.Growth next = current.grow();
        List<Tile> tiles = new ArrayList<>();
        List<Bundle> bundles = new ArrayList<>();
        List<byte[]> entries = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            Append a = appends.get(i);
            next.append(a.entry(), a.leafHash(), tiles, bundles);
            entries.add(a.entry());
        }
        try {
            store.commit(current.size(), entries, tiles, bundles);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit store refused a group of " + appends.size() + " entries: " + e.getMessage());
            AuditUnavailableException failure = new AuditUnavailableException("audit entry could not be made durable", e);
            for (Append a : appends) {
                a.done().completeExceptionally(failure);
            }
            // the refused growth wrote into buffers the next one would share: start it from clean ones
            edge = current.copy();
            return;
        }
        edge = next.edge();
        long index = current.size();
        for (int i = 0; i < appends.size(); i++) {
            appends.get(i).done().complete(index++);
        }
    }

    /** On the checkpointer thread: signs and stores a checkpoint of {@code snapshot} unless it adds nothing. */
    private void storeCheckpoint(TreeEdge snapshot, CheckpointRequest c) {
        SignedCheckpoint last = latest;
        if (c.onlyIfGrown() && last != null && last.size() >= snapshot.size()) {
            c.done().complete(last);
            return;
        }
        try {
            c.done().complete(signCheckpoint(snapshot));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit checkpoint failed: " + e.getMessage());
            c.done().completeExceptionally(new AuditUnavailableException("audit checkpoint could not be stored", e));
        }
    }

    /**
     * Signs and stores a checkpoint of the tree {@code e}: at start-up, or on the checkpointer thread while the
     * writer may have committed more groups since (the store takes a size behind its committed one).
     */
    private SignedCheckpoint signCheckpoint(TreeEdge e) {
        long size = e.size();
        byte[] root = Merkle.rootHash(nodes(e, Map.of(), null), size);
        String note = signer.sign(new Checkpoint(options.origin(), size, root).text());
        store.checkpoint(size, e.partialTiles(), e.partialBundle(), note);
        SignedCheckpoint cp = new SignedCheckpoint(size, root, note, clock.instant());
        latest = cp;
        return cp;
    }

    private void failPending(AuditUnavailableException failure) {
        List<Request> rest = new ArrayList<>();
        queue.drainTo(rest);
        for (Request r : rest) {
            if (r instanceof Append a) {
                a.done().completeExceptionally(failure);
            } else if (r instanceof CheckpointRequest c) {
                c.done().completeExceptionally(failure);
            }
        }
    }

    /** Number of durable entries. */
    public long size() {
        return edge.size();
    }

    /** The latest signed checkpoint. */
    public SignedCheckpoint latestCheckpoint() {
        return latest;
    }

    public String verifierKey() {
        return signer.verifierKey();
    }

    public String origin() {
        return options.origin();
    }

    /** Every signed checkpoint kept by the store, oldest first. */
    public List<String> checkpoints() {
        return store.checkpoints();
    }

    public byte[] rootHash(long size) {
        TreeEdge e = edge;
        requireSize(size, e);
        return Merkle.rootHash(nodes(e, Map.of(), null), size);
    }

    /** Audit path for entry {@code index} in the tree of {@code size}, from the tiles (O(log n) tile reads). */
    public List<byte[]> inclusionProof(long index, long size) {
        TreeEdge e = edge;
        requireSize(size, e);
        return withTiles(e, src -> Merkle.inclusionProof(src, index, size));
    }

    /** Consistency proof from the tree of {@code first} entries to the tree of {@code second}. */
    public List<byte[]> consistencyProof(long first, long second) {
        TreeEdge e = edge;
        requireSize(second, e);
        return withTiles(e, src -> Merkle.consistencyProof(src, first, second));
    }

    /**
     * Runs a proof on the cached tiles; if it needed tiles that are not cached, reads all of them in one store
     * call (one query on PostgreSQL, instead of one per tile) and runs it again. Which nodes a proof reads
     * depends only on the sizes, never on the hashes, so the first run names exactly the tiles it needs.
     */
    private List<byte[]> withTiles(TreeEdge e, java.util.function.Function<Merkle.NodeSource, List<byte[]>> proof) {
        Map<Long, LogStore.TileId> missing = new LinkedHashMap<>(4);
        List<byte[]> out = proof.apply(nodes(e, Map.of(), missing));
        if (missing.isEmpty()) {
            return out;
        }
        Map<LogStore.TileId, byte[]> read = store.readFullTiles(missing.values());
        Map<Long, byte[]> fetched = new java.util.HashMap<>();
        for (Map.Entry<Long, LogStore.TileId> m : missing.entrySet()) {
            LogStore.TileId id = m.getValue();
            byte[] data = read.get(id);
            if (data == null) {
                throw new AuditStoreException("tile " + Tiles.tilePath(id.level(), id.index(), Tiles.WIDTH) + " is missing");
            }
            byte[] inner = innerNodes(id.level(), id.index(), data);
            tileCache.put(m.getKey(), inner);
            fetched.put(m.getKey(), inner);
        }
        return proof.apply(nodes(e, fetched, null));
    }

    private static long tileKey(int level, long index) {
        return (index << 6) | level;
    }

    /** The entry at {@code index}. */
    public byte[] entry(long index) {
        TreeEdge e = edge;
        if (index < 0 || index >= e.size()) {
            throw new IllegalArgumentException("no audit entry " + index + " in a log of " + e.size());
        }
        long bundle = index / Tiles.WIDTH;
        int offset = (int) (index % Tiles.WIDTH);
        if (bundle == Tiles.partialIndex(0, e.size())) {
            return e.bundleEntries().get(offset).clone();
        }
        return store.readBundle(bundle, Tiles.WIDTH)
                .orElseThrow(() -> new AuditStoreException("entry bundle " + bundle + " is missing"))
                .get(offset);
    }

    /** Entries {@code [from, to)} in index order, read a bundle at a time. */
    public List<byte[]> entries(long from, long to) {
        TreeEdge e = edge;
        if (from < 0 || from > to || to > e.size()) {
            throw new IllegalArgumentException("entries " + from + ".." + to + " are not in a log of " + e.size());
        }
        List<byte[]> out = new ArrayList<>();
        long i = from;
        while (i < to) {
            long bundle = i / Tiles.WIDTH;
            List<byte[]> entries = bundle == Tiles.partialIndex(0, e.size()) ? e.bundleEntries()
                    : store.readBundle(bundle, Tiles.WIDTH).orElseThrow(() -> new AuditStoreException("entry bundle " + bundle + " is missing"));
            for (int k = (int) (i % Tiles.WIDTH); k < entries.size() && i < to; k++, i++) {
                out.add(entries.get(k).clone());
            }
        }
        return out;
    }

    /** A tile or entry bundle as served under the log's tlog-tiles prefix. */
    public Optional<byte[]> tile(int level, long index, int width) {
        return store.readTile(level, index, width);
    }

    private static void requireSize(long size, TreeEdge e) {
        if (size < 0 || size > e.size()) {
            throw new IllegalArgumentException("tree size " + size + " is beyond the log's " + e.size() + " entries");
        }
    }

    /**
     * Nodes from the tree's edge and full tiles: tiles just {@code fetched}, cached, or read from the store; with
     * {@code missing} set, a tile not cached is only noted there (the node is a placeholder) for one read of all.
     */
    private Merkle.NodeSource nodes(TreeEdge e, Map<Long, byte[]> fetched, Map<Long, LogStore.TileId> missing) {
        return (level, index) -> {
            Tiles.NodeAt node = Tiles.NodeAt.of(level, index);
            if (node.tileIndex() == Tiles.partialIndex(node.tileLevel(), e.size())) {
                return e.partialNode(node.tileLevel(), node.height(), node.position());
            }
            long key = tileKey(node.tileLevel(), node.tileIndex());
            byte[] inner = fetched.get(key);
            if (inner == null) {
                inner = tileCache.get(key);
            }
            if (inner == null) {
                if (missing != null) {
                    missing.putIfAbsent(key, new LogStore.TileId(node.tileLevel(), node.tileIndex()));
                    return PLACEHOLDER;
                }
                inner = fullTile(node.tileLevel(), node.tileIndex());
            }
            int at = (Tiles.rowStart(node.height()) + node.position()) * Merkle.HASH_SIZE;
            return java.util.Arrays.copyOfRange(inner, at, at + Merkle.HASH_SIZE);
        };
    }

    /**
     * A full tile with all its inner nodes, flat: the 256 hashes, then the 128 nodes one level up, and so
     * on to the tile's root (511 hashes, 16 KB). Hot tiles stay cached, so a proof costs a few lookups.
     */
    private byte[] fullTile(int level, long index) {
        long key = tileKey(level, index);
        byte[] cached = tileCache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] data = store.readTile(level, index, Tiles.WIDTH)
                .orElseThrow(() -> new AuditStoreException("tile " + Tiles.tilePath(level, index, Tiles.WIDTH) + " is missing"));
        byte[] inner = innerNodes(level, index, data);
        tileCache.put(key, inner);
        return inner;
    }

    /** The flat 511 hashes of a stored full tile, rehashed from its 256. */
    private static byte[] innerNodes(int level, long index, byte[] data) {
        int all = (2 * Tiles.WIDTH - 1) * Merkle.HASH_SIZE;
        if (data.length != Tiles.WIDTH * Merkle.HASH_SIZE) {
            throw new AuditStoreException("tile " + Tiles.tilePath(level, index, Tiles.WIDTH) + " has " + data.length + " bytes");
        }
        byte[] inner = java.util.Arrays.copyOf(data, all);
        Tiles.hashRows(inner, Tiles.WIDTH, inner, Tiles.WIDTH);
        return inner;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticker.interrupt();
        queue.add(new Stop());
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
            // checkpoints already handed over are stored before the store closes
            checkpointer.shutdown();
            checkpointer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
