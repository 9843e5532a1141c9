package cxg.gateway.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The embedded store: a directory laid out so that it can be served as a C2SP tlog-tiles log.
 * <ul>
 * <li>{@code entries.log} — the write-ahead log: records {@code [u32 length][u32 CRC32C of length and
 * entry][entry]}, fdatasync'd once per group commit; nothing is acknowledged before that. Start-up
 * reads records from the last checkpoint's offset up to the first that does not check, and cuts the
 * file there;</li>
 * <li>{@code tile/...} — full tiles and entry bundles. The writer only hands them over: a few background
 * threads create, write and fsync them at once (so the file system batches them into few journal
 * commits, and the group's fdatasync never waits for file creation), and reads are served from memory
 * until the file is written. A checkpoint waits for them; until then start-up rebuilds them from
 * {@code entries.log};</li>
 * <li>{@code checkpoint}, {@code checkpoints.log} — the latest signed checkpoint and all of them;</li>
 * <li>{@code state} — tree size and {@code entries.log} offset of the latest checkpoint, from which
 * start-up resumes without a rescan.</li>
 * </ul>
 * Opened with {@code forceToDisk} false (benchmarks only, {@code cxg.audit.fsync=false}) it writes the
 * same files but never forces them to disk: an acknowledged entry is then not durable.
 */
public final class DirectoryLogStore implements LogStore {

    private static final Logger LOG = Logger.getLogger(DirectoryLogStore.class.getName());
    private static final int HEADER = 8;
    /** Concurrent tile writers: one fsync at a time costs a journal commit each (~240/s measured here). */
    private static final int SYNC_THREADS = 8;
    /** Tile and bundle bytes handed to the background writers and not yet durable, before commits wait. */
    private static final long MAX_PENDING_BYTES = 64L << 20;


    private final Path dir;
    private final FileChannel entries;
    private final boolean forceToDisk;
    private final ExecutorService syncer;
    private final ExecutorService advancer;

    /** Full tiles and bundles handed over since the last checkpoint (relative paths), with their background write and fsync. */
    private final Map<String, Future<?>> unsynced = new LinkedHashMap<>();
    /** Contents of tiles and bundles whose background write has not finished (or failed), by relative path. */
    private final Map<String, byte[]> pending = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Set<Path> newDirectories = ConcurrentHashMap.newKeySet();
    private ByteBuffer walBuffer = ByteBuffer.allocateDirect(1 << 20);
    private long committedSize;
    private long committedOffset;

    private DirectoryLogStore(Path dir, FileChannel entries, boolean forceToDisk) {
        this.dir = dir;
        this.entries = entries;
        this.forceToDisk = forceToDisk;
        this.advancer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audit-resume-point");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger n = new AtomicInteger();
        this.syncer = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
            Thread t = new Thread(r, "audit-tile-fsync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public static DirectoryLogStore open(Path dir) {
        return open(dir, true);
    }

    /** {@code forceToDisk} false: nothing is fsync'd, for measuring what the fsyncs cost (benchmarks only). */
    public static DirectoryLogStore open(Path dir, boolean forceToDisk) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve("entries.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new DirectoryLogStore(dir, ch, forceToDisk);
        } catch (IOException e) {
            throw new AuditStoreException("cannot open audit directory " + dir, e);
        }
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized Recovered recover() {
        try {
            long size = 0;
            long offset = 0;
            Optional<String> checkpoint = Optional.empty();
            Path state = dir.resolve("state");
            if (Files.exists(state)) {
                // "<size> <entries.log offset>\n" then the signed checkpoint of that size
                String text = Files.readString(state, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                String[] parts = text.substring(0, nl).split(" ");
                size = Long.parseLong(parts[0]);
                offset = Long.parseLong(parts[1]);
                checkpoint = Optional.of(text.substring(nl + 1)).filter(note -> !note.isEmpty());
            }
            List<byte[]> tail = new ArrayList<>();
            long end = entries.size();
            long pos = offset;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos + HEADER <= end) {
                header.clear();
                readFully(header, pos);
                int len = header.getInt(0);
                int crc = header.getInt(4);
                if (len < 0 || len > Tiles.MAX_ENTRY_SIZE || pos + HEADER + len > end) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(len);
                readFully(body, pos + HEADER);
                if (crc(len, body.array()) != crc) {
                    break;
                }
                tail.add(body.array());
                pos += HEADER + len;
            }
            if (pos < end) {
                // A group whose fdatasync did not complete (so never acknowledged, and possibly torn
                // anywhere): cut it, so that none of its records can turn up behind a later group.
                entries.truncate(pos);
                entries.force(true);
            }
            committedSize = size + tail.size();
            committedOffset = pos;
            return new Recovered(size, checkpoint, tail);
        } catch (IOException | RuntimeException e) {
            throw new AuditStoreException("cannot recover audit directory " + dir, e);
        }
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (entries.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of entries.log");
            }
        }
    }

    /** The record checksum covers the length, so a zero-filled header never checks. */
    private static int crc(int length, byte[] data) {
        CRC32C c = new CRC32C();
        updateLength(c, length);
        c.update(data);
        return (int) c.getValue();
    }

    private static void updateLength(CRC32C c, int length) {
        c.update(length >>> 24);
        c.update(length >>> 16);
        c.update(length >>> 8);
        c.update(length);
    }

    @Override
    public synchronized void commit(long firstIndex, List<byte[]> batch, List<Tile> fullTiles, List<Bundle> fullBundles) {
        if (!batch.isEmpty() && firstIndex != committedSize) {
            throw new AuditStoreException("append at " + firstIndex + " but the log holds " + committedSize);
        }
        int bytes = 0;
        for (byte[] e : batch) {
            bytes += HEADER + e.length;
        }
        if (walBuffer.capacity() < bytes) {
            walBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes) << 1);
        }
        ByteBuffer buf = walBuffer.clear();
        CRC32C crc = new CRC32C();
        for (byte[] e : batch) {
            crc.reset();
            updateLength(crc, e.length);
            crc.update(e);
            buf.putInt(e.length).putInt((int) crc.getValue()).put(e);
        }
        buf.flip();
        try {
            long pos = committedOffset;
            while (buf.hasRemaining()) {
                pos += entries.write(buf, pos);
            }
            if (!batch.isEmpty() && forceToDisk) {
                entries.force(false);
            }
            for (Tile t : fullTiles) {
                handOver(t.path(), t.data());
            }
            for (Bundle b : fullBundles) {
                handOver(b.path(), b.encode());
            }
            limitPending();
        } catch (IOException | UncheckedIOException e) {
            discardFrom(committedOffset);
            throw new AuditStoreException("cannot make audit entries durable", e);
        }
        committedSize += batch.size();
        committedOffset += bytes;
    }

    /** Cuts entries.log after a failed group, so that none of its records can be read back behind a later, shorter group. */
    private void discardFrom(long offset) {
        try {
            entries.truncate(offset);
            entries.force(true);
        } catch (IOException ignored) {
            // the next group overwrites from offset; start-up cuts at the first record that does not check
        }
    }

    /** A full tile or bundle goes to the background writers; it is readable from memory at once. */
    private void handOver(String relative, byte[] data) {
        byte[] replaced = pending.put(relative, data);
        pendingBytes.addAndGet(data.length - (replaced == null ? 0 : replaced.length));
        Future<?> previous = unsynced.put(relative, syncer.submit(() -> {
            writeAndSync(relative, data);
            return null;
        }));
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void writeAndSync(String relative, byte[] data) throws IOException {
        fsync(write(relative, data), false);
        if (pending.remove(relative, data)) {
            pendingBytes.addAndGet(-data.length);
        }
    }

    /** Back-pressure: a writer far ahead of the disk waits for the oldest tiles. */
    private void limitPending() throws IOException {
        if (pendingBytes.get() <= MAX_PENDING_BYTES) {
            return;
        }
        for (Map.Entry<String, Future<?>> u : unsynced.entrySet()) {
            awaitOrWrite(u.getKey(), u.getValue());
            if (pendingBytes.get() <= MAX_PENDING_BYTES / 2) {
                return;
            }
        }
    }

    private Path write(String relative, byte[] data) throws IOException {
        Path p = dir.resolve(relative);
        Path parent = p.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            for (Path d = parent; d != null && d.startsWith(dir) && !d.equals(dir); d = d.getParent()) {
                newDirectories.add(d);
            }
        }
        Files.write(p, data);
        return p;
    }

    @Override
    public synchronized void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
        if (size != committedSize) {
            throw new AuditStoreException("checkpoint of size " + size + " but the log holds " + committedSize);
        }
        try {
            for (Tile t : partialTiles) {
                handOver(t.path(), t.data());
            }
            if (partialBundle != null) {
                handOver(partialBundle.path(), partialBundle.encode());
            }
            byte[] note = signedNote.getBytes(StandardCharsets.UTF_8);
            try (FileChannel log = FileChannel.open(dir.resolve("checkpoints.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.allocate(4 + note.length).putInt(note.length).put(note);
                buf.flip();
                while (buf.hasRemaining()) {
                    log.write(buf);
                }
                if (forceToDisk) {
                    log.force(true);
                }
            }
            replace("checkpoint", note);
            fsync(dir, true);
        } catch (IOException | UncheckedIOException e) {
            throw new AuditStoreException("cannot store audit checkpoint", e);
        }
        Map<String, Future<?>> tiles = new LinkedHashMap<>(unsynced);
        unsynced.clear();
        byte[] state = (size + " " + committedOffset + "\n" + signedNote).getBytes(StandardCharsets.UTF_8);
        advancer.execute(() -> advance(tiles, state));
    }

    /**
     * Moves the resume point ({@code state}) to a checkpoint once every tile up to it, and its partial
     * tiles, are durable; off the writer thread, in checkpoint order. Until then start-up resumes from an
     * earlier checkpoint and replays a longer tail of {@code entries.log}. A failure leaves the previous
     * resume point, which is always safe; the tiles are retried by the next checkpoint's advance.
     */
    private void advance(Map<String, Future<?>> tiles, byte[] state) {
        try {
            for (Map.Entry<String, Future<?>> t : tiles.entrySet()) {
                awaitOrWrite(t.getKey(), t.getValue());
            }
            // Every new name must be durable too: the parents of new files and directories, deepest first.
            Set<Path> parents = new LinkedHashSet<>();
            for (String p : tiles.keySet()) {
                parents.add(dir.resolve(p).getParent());
            }
            List<Path> created = new ArrayList<>(newDirectories);
            for (Path d : created) {
                parents.add(d);
                parents.add(d.getParent());
            }
            List<Path> dirs = new ArrayList<>(parents);
            dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path p : dirs) {
                fsync(p, true);
            }
            created.forEach(newDirectories::remove);
            replace("state", state);
            fsync(dir, true);
            // Partial tiles may go once their full tile is durable (C2SP tlog-tiles) and no resume point needs them.
            for (String p : tiles.keySet()) {
                if (!p.contains(".p/")) {
                    deleteTree(dir.resolve(p + ".p"));
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                tiles.forEach(unsynced::putIfAbsent);
            }
            LOG.log(Level.WARNING, "audit resume point not advanced (start-up will replay more of entries.log): " + e.getMessage());
        }
    }

    /** Waits for a tile's background write; one that failed or was cancelled is done again here. */
    private void awaitOrWrite(String relative, Future<?> write) throws IOException {
        try {
            write.get();
            return;
        } catch (ExecutionException | CancellationException e) {
            // retried below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + relative, e);
        }
        byte[] data = pending.get(relative);
        if (data != null) {
            writeAndSync(relative, data);
        } else {
            fsync(dir.resolve(relative), false);
        }
    }

    private void replace(String name, byte[] data) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, data);
        fsync(tmp, false);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void fsync(Path p, boolean directory) throws IOException {
        if (!forceToDisk) {
            return;
        }
        try (FileChannel ch = FileChannel.open(p, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    @Override
    public Optional<byte[]> readTile(int level, long index, int width) {
        return read(Tiles.tilePath(level, index, width));
    }

    @Override
    public Optional<List<byte[]>> readBundle(long index, int width) {
        return read(Tiles.bundlePath(index, width)).map(Tiles::decodeBundle);
    }

    private Optional<byte[]> read(String relative) {
        byte[] inMemory = pending.get(relative);
        if (inMemory != null) {
            return Optional.of(inMemory.clone());
        }
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(relative)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new AuditStoreException("cannot read " + relative, e);
        }
    }

    @Override
    public List<String> checkpoints() {
        Path p = dir.resolve("checkpoints.log");
        List<String> out = new ArrayList<>();
        try {
            if (!Files.exists(p)) {
                return out;
            }
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(p));
            while (buf.remaining() >= 4) {
                int len = buf.getInt();
                if (len < 0 || len > buf.remaining()) {
                    break;
                }
                byte[] note = new byte[len];
                buf.get(note);
                out.add(new String(note, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new AuditStoreException("cannot read checkpoints", e);
        }
    }

    @Override
    public void close() {
        // Let the last resume point land, so the next start replays little; then stop.
        advancer.shutdown();
        syncer.shutdown();
        try {
            advancer.awaitTermination(30, TimeUnit.SECONDS);
            syncer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeFiles();
    }

    private synchronized void closeFiles() {
        try {
            entries.close();
        } catch (IOException e) {
            throw new AuditStoreException("cannot close audit directory", e);
        }
    }
}
