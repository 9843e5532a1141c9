package cxg.gateway.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
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
 * The embedded store: one directory holding the whole log, which {@link AuditTileServer} serves as a C2SP
 * tlog-tiles log. Each entry is written once.
 * <ul>
 * <li>{@code entries/<start>.log} — the entries, the only copy of their bytes: one logical byte stream cut
 * into segment files named by their start offset (16 hex digits), of records {@code [u32 length][u32 CRC32C
 * of length and entry][entry]} (a record may continue in the next segment). A group commit writes its records
 * at the write position and fdatasyncs them; nothing is acknowledged before that. The next segment is zero-filled
 * and made durable by a background thread before the writer reaches it, so that a group's fdatasync overwrites
 * allocated blocks of a file whose size does not change and needs no file-system journal commit (PostgreSQL
 * preallocates its WAL segments for the same reason). The log ends at the first record whose length is zero
 * or out of range or whose checksum fails; start-up reads from the last resume point to there and cuts the
 * rest (a group whose fdatasync did not complete was never acknowledged);</li>
 * <li>{@code entries.idx} — the offset of every 256th entry (big-endian u64 per entry bundle), so that an entry
 * bundle {@code tile/entries/<N>} is one read of a range of the entries. Derivable from them: written with each
 * group, made durable when the resume point moves, rebuilt past it at start-up;</li>
 * <li>{@code tile/<L>/<N>[.p/<W>]} — the hash tiles. The writer only hands them over: a background thread
 * writes them and reads are served from memory until it has; they are fsync'd together when the resume point
 * moves to a checkpoint, {@link #RESUME_LAG_NANOS} after it (they are derivable from the entries), not one by one
 * beside the group commits;</li>
 * <li>{@code checkpoint}, {@code checkpoints.log} — the latest signed checkpoint and all of them;</li>
 * <li>{@code state} — tree size and entries offset of the latest checkpoint whose tiles and index are durable,
 * from which start-up resumes without a rescan.</li>
 * </ul>
 * Opened with {@code forceToDisk} false (benchmarks only, {@code cxg.audit.fsync=false}) it writes the
 * same files but never forces them to disk (nor preallocates): an acknowledged entry is then not durable.
 */
public final class DirectoryLogStore implements LogStore {

    private static final Logger LOG = Logger.getLogger(DirectoryLogStore.class.getName());
    private static final int HEADER = 8;
    static final String SEGMENTS = "entries";
    static final String INDEX = "entries.idx";
    /** Segment sizes grow with the log, from 1 MB (a small log stays small) to 64 MB. */
    private static final long MIN_SEGMENT = 1L << 20;
    private static final long MAX_SEGMENT = 64L << 20;
    /**
     * Zero-filling writes and forces this many bytes at a time: a group's fdatasync that lands behind one of its flushes
     * waits for at most this much write-back (8 MB steps measured 9 ms p50 / 156 ms max against 1.1 ms p50 alone, on
     * the busy disk). Between steps it rests as long as the step took while the writer is far from the segment (in time).
     */
    private static final int FILL_STEP = 1 << 20;
    /**
     * The zero-fill's single writes. The kernel sizes the page-cache folios of a file by the writes that create them
     * (ext4 on Linux 6.16+): after 1 MB writes each group's small write walked the 256 block buffers of a 1 MB folio,
     * 1.5-2x the CPU of the same write into 64 KB folios (measured: bench/JOURNAL.md, "The audit write's CPU per call").
     */
    private static final int FILL_WRITE = 64 << 10;
    /**
     * How long a checkpoint's tiles wait before they are fsync'd and the resume point moves to it: longer than the
     * kernel takes to write dirty pages back on its own (30 s by default, vm.dirty_expire_centisecs), so that the
     * fsyncs mostly find their data written and cost no extra journal commits beside the group commits. Start-up
     * then replays at most this much more of the entries (PostgreSQL's checkpoints, every 5 minutes by default,
     * bound its WAL replay the same way). Closing the store moves the resume point at once.
     */
    private static final long RESUME_LAG_NANOS = TimeUnit.SECONDS.toNanos(35);
    /** Concurrent tile fsyncs at a checkpoint: one at a time costs a journal commit each (~240/s measured here). */
    private static final int SYNC_THREADS = 8;
    /** Tile and bundle bytes handed to the background writer and not yet written, before commits wait. */
    private static final long MAX_PENDING_BYTES = 64L << 20;

    /** A segment file: entries from logical offset {@code start} up to {@code end} (its size when preallocated). */
    private static final class Segment {
        final long start;
        final long end;
        final FileChannel channel;

        Segment(long start, long end, FileChannel channel) {
            this.start = start;
            this.end = end;
            this.channel = channel;
        }
    }

    private final Path dir;
    private final Path segmentDir;
    private final FileChannel index;
    private final boolean forceToDisk;
    private final ExecutorService tileWriter;
    private final ExecutorService syncer;
    private final java.util.concurrent.ScheduledExecutorService advancer;
    /** Checkpoints whose resume point has not moved yet, oldest first (guarded by itself). */
    private final java.util.ArrayDeque<PendingAdvance> advances = new java.util.ArrayDeque<>();

    private record PendingAdvance(Map<String, Future<?>> tiles, byte[] state, long at) {
    }
    private final ExecutorService preparer;

    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    /** The segment the writer appends to; null before the first append and after start-up. */
    private Segment current;
    private final Object prepLock = new Object();
    /** The zero-filled segment ready after the current one, or null. */
    private Segment prepared;
    /** Start of the segment being zero-filled, or -1. */
    private long preparing = -1;
    /** Whether the segment being prepared already has its final name (then the writer waits for it). */
    private boolean renamed;
    /** Start of a segment being prepared that the writer did not wait for (it is deleted, not used), or -1. */
    private long abandoned = -1;

    /** Full tiles handed over since the last checkpoint (relative paths), with their background write. */
    private final Map<String, Future<?>> unsynced = new LinkedHashMap<>();
    /** Contents of tiles whose background write has not finished (or failed), by relative path. */
    private final Map<String, byte[]> pending = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Set<Path> newDirectories = ConcurrentHashMap.newKeySet();
    private ByteBuffer walBuffer = ByteBuffer.allocateDirect(1 << 20);

    /** Guards what readers need of the writer's progress: the committed size and end, and the bundle offsets. */
    private final Object progress = new Object();
    private long committedSize;
    private long committedOffset;
    private long[] bundleStarts = new long[1024];
    private int bundles;

    private DirectoryLogStore(Path dir, FileChannel index, boolean forceToDisk) {
        this.dir = dir;
        this.segmentDir = dir.resolve(SEGMENTS);
        this.index = index;
        this.forceToDisk = forceToDisk;
        this.advancer = Executors.newSingleThreadScheduledExecutor(daemon("audit-resume-point"));
        this.advancer.scheduleWithFixedDelay(() -> advanceDue(false), 1, 1, TimeUnit.SECONDS);
        this.preparer = Executors.newSingleThreadExecutor(daemon("audit-segment-prealloc"));
        AtomicInteger n = new AtomicInteger();
        this.tileWriter = Executors.newFixedThreadPool(2, r -> daemon("audit-tile-writer-" + n.incrementAndGet()).newThread(r));
        this.syncer = Executors.newFixedThreadPool(SYNC_THREADS, r -> daemon("audit-tile-fsync-" + n.incrementAndGet()).newThread(r));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public static DirectoryLogStore open(Path dir) {
        return open(dir, true);
    }

    /** {@code forceToDisk} false: nothing is fsync'd, for measuring what the fsyncs cost (benchmarks only). */
    public static DirectoryLogStore open(Path dir, boolean forceToDisk) {
        try {
            Files.createDirectories(dir.resolve(SEGMENTS));
            FileChannel idx = FileChannel.open(dir.resolve(INDEX), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new DirectoryLogStore(dir, idx, forceToDisk);
        } catch (IOException e) {
            throw new AuditStoreException("cannot open audit directory " + dir, e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** The file name of the segment starting at logical offset {@code start}. */
    static String segmentName(long start) {
        return String.format("%016x.log", start);
    }

    // ------------------------------------------------------------------ start-up

    @Override
    public synchronized Recovered recover() {
        try {
            long size = 0;
            long offset = 0;
            Optional<String> checkpoint = Optional.empty();
            Path state = dir.resolve("state");
            if (Files.exists(state)) {
                // "<size> <entries offset>\n" then the signed checkpoint of that size
                String text = Files.readString(state, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                String[] parts = text.substring(0, nl).split(" ");
                size = Long.parseLong(parts[0]);
                offset = Long.parseLong(parts[1]);
                checkpoint = Optional.of(text.substring(nl + 1)).filter(note -> !note.isEmpty());
            }
            boolean migrated = migrateSingleFile();
            loadSegments();
            int trustedBundles = (int) ((size + Tiles.WIDTH - 1) / Tiles.WIDTH);
            long scanFrom = offset;
            long scanIndex = size;
            bundles = 0;
            if (!migrated && index.size() >= trustedBundles * 8L) {
                ByteBuffer b = ByteBuffer.allocate(trustedBundles * 8);
                readFully(index, b, 0);
                b.flip();
                ensureBundleCapacity(trustedBundles);
                for (int i = 0; i < trustedBundles; i++) {
                    bundleStarts[i] = b.getLong();
                }
                bundles = trustedBundles;
                if (offset > 0 && read(offset - 1, new byte[1], 0, 1) < 1) {
                    throw new AuditStoreException("the entries end before the offset " + offset + " of the last checkpoint (size " + size + ")");
                }
            } else {
                // A store from before entries.idx, or with its index lost: one scan from the start rebuilds it.
                scanFrom = 0;
                scanIndex = 0;
                trustedBundles = 0;
            }
            List<byte[]> tail = new ArrayList<>();
            Cursor cursor = new Cursor();
            long pos = scanFrom;
            long i = scanIndex;
            while (true) {
                byte[] body = cursor.record(pos);
                if (body == null) {
                    break;
                }
                if (i % Tiles.WIDTH == 0) {
                    ensureBundleCapacity(bundles + 1);
                    bundleStarts[bundles++] = pos;
                }
                if (i >= size) {
                    tail.add(body);
                }
                pos += HEADER + body.length;
                i++;
            }
            if (i < size) {
                throw new AuditStoreException("the entries end at entry " + i + ", before the last checkpoint's size " + size);
            }
            cutAt(pos);
            writeIndex(trustedBundles, bundles);
            index.truncate(bundles * 8L);
            committedSize = i;
            committedOffset = pos;
            current = null;
            if (migrated) {
                forceIndexAndSegments();
                deleteTree(dir.resolve("tile/entries"));
            }
            prepareNext(pos);
            return new Recovered(size, checkpoint, tail);
        } catch (IOException | RuntimeException e) {
            throw new AuditStoreException("cannot recover audit directory " + dir, e);
        }
    }

    /** A store written before segments kept all entries in one {@code entries.log}: it becomes the first segment. */
    private boolean migrateSingleFile() throws IOException {
        Path single = dir.resolve("entries.log");
        if (!Files.exists(single)) {
            return false;
        }
        Files.move(single, segmentDir.resolve(segmentName(0)), StandardCopyOption.ATOMIC_MOVE);
        fsync(segmentDir, true);
        fsync(dir, true);
        return true;
    }

    private void loadSegments() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segmentDir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(p);
                } else if (name.matches("[0-9a-f]{16}\\.log")) {
                    long start = Long.parseUnsignedLong(name.substring(0, 16), 16);
                    FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    segments.put(start, new Segment(start, start + ch.size(), ch));
                }
            }
        }
    }

    /**
     * Cuts the entries at {@code end}: a group whose fdatasync did not complete (never acknowledged, and possibly torn
     * anywhere) and the zero-filled rest of the segment go, so that none of its records can turn up behind a later
     * group; the segment holding {@code end} is shortened to it and the next one will start there.
     */
    private void cutAt(long end) throws IOException {
        boolean changed = false;
        for (Segment s : new ArrayList<>(segments.tailMap(end, true).values())) {
            s.channel.close();
            Files.delete(segmentDir.resolve(segmentName(s.start)));
            segments.remove(s.start);
            changed = true;
        }
        Map.Entry<Long, Segment> last = segments.lowerEntry(end);
        if (last != null && last.getValue().channel.size() > end - last.getKey()) {
            Segment s = last.getValue();
            s.channel.truncate(end - s.start);
            if (forceToDisk) {
                s.channel.force(true);
            }
            segments.put(s.start, new Segment(s.start, end, s.channel));
            changed = true;
        }
        if (changed) {
            fsync(segmentDir, true);
        }
    }

    /** Reads records through the segments in large chunks. */
    private final class Cursor {
        private byte[] buf = new byte[1 << 20];
        private long bufStart;
        private int bufLength;

        /** The entry of the record at {@code pos}, or null where the log ends. */
        byte[] record(long pos) throws IOException {
            if (!fill(pos, HEADER)) {
                return null;
            }
            int at = (int) (pos - bufStart);
            int len = getInt(buf, at);
            int crc = getInt(buf, at + 4);
            if (len <= 0 || len > Tiles.MAX_ENTRY_SIZE || !fill(pos, HEADER + len)) {
                return null;
            }
            at = (int) (pos - bufStart);
            byte[] body = Arrays.copyOfRange(buf, at + HEADER, at + HEADER + len);
            return crc(len, body) == crc ? body : null;
        }

        private boolean fill(long pos, int n) throws IOException {
            if (pos >= bufStart && pos + n <= bufStart + bufLength) {
                return true;
            }
            if (buf.length < n) {
                buf = new byte[n];
            }
            bufStart = pos;
            bufLength = read(pos, buf, 0, buf.length);
            return bufLength >= n;
        }
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
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

    private void ensureBundleCapacity(int n) {
        if (bundleStarts.length < n) {
            bundleStarts = Arrays.copyOf(bundleStarts, Math.max(n, bundleStarts.length * 2));
        }
    }

    /** Writes bundle offsets {@code [from, to)} to entries.idx (made durable with the next resume point). */
    private void writeIndex(int from, int to) throws IOException {
        if (to <= from) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate((to - from) * 8);
        for (int i = from; i < to; i++) {
            b.putLong(bundleStarts[i]);
        }
        b.flip();
        long pos = from * 8L;
        while (b.hasRemaining()) {
            pos += index.write(b, pos);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /**
     * Reads up to {@code n} bytes of the entries from logical offset {@code pos} into {@code out}; fewer where the
     * entries end. Safe beside the writer: it only reads what is below the committed end, or runs at start-up.
     */
    private int read(long pos, byte[] out, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            Map.Entry<Long, Segment> e = segments.floorEntry(pos + done);
            if (e == null) {
                break;
            }
            Segment s = e.getValue();
            long within = pos + done - s.start;
            int want = (int) Math.min(n - done, s.end - s.start - within);
            if (want <= 0) {
                break;
            }
            int r = s.channel.read(ByteBuffer.wrap(out, off + done, want), within);
            if (r <= 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    // ------------------------------------------------------------------ group commit

    @Override
    public synchronized void commit(long firstIndex, List<byte[]> batch, List<Tile> fullTiles, List<Bundle> fullBundles) {
        if (!batch.isEmpty() && firstIndex != committedSize) {
            throw new AuditStoreException("append at " + firstIndex + " but the log holds " + committedSize);
        }
        int bytes = 0;
        for (int k = 0; k < batch.size(); k++) {
            bytes += HEADER + batch.get(k).length;
        }
        if (walBuffer.capacity() < bytes) {
            walBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes) << 1);
        }
        ByteBuffer buf = walBuffer.clear();
        CRC32C crc = new CRC32C();
        int firstBundle = bundles;
        long[] starts = new long[(batch.size() + Tiles.WIDTH - 1) / Tiles.WIDTH + 1];
        int newBundles = 0;
        long at = committedOffset;
        long i = committedSize;
        for (int k = 0; k < batch.size(); k++) {
            byte[] e = batch.get(k);
            if (i++ % Tiles.WIDTH == 0) {
                starts[newBundles++] = at;
            }
            at += HEADER + e.length;
            crc.reset();
            updateLength(crc, e.length);
            crc.update(e);
            buf.putInt(e.length).putInt((int) crc.getValue()).put(e);
        }
        buf.flip();
        try {
            writeEntries(buf);
            for (Tile t : fullTiles) {
                handOver(t.path(), t.data());
            }
            limitPending();
        } catch (IOException | UncheckedIOException e) {
            discardFrom(committedOffset);
            throw new AuditStoreException("cannot make audit entries durable", e);
        }
        synchronized (progress) {
            ensureBundleCapacity(bundles + newBundles);
            System.arraycopy(starts, 0, bundleStarts, bundles, newBundles);
            bundles += newBundles;
            committedSize += batch.size();
            committedOffset += bytes;
        }
        if (newBundles > 0) {
            try {
                writeIndex(firstBundle, firstBundle + newBundles);
            } catch (IOException e) {
                // entries.idx is derivable: the resume point does not move past it until it is written and durable
                LOG.log(Level.WARNING, "audit entries.idx not written (start-up will rebuild it): " + e.getMessage());
                indexBroken = true;
            }
        }
    }

    /** Set when entries.idx could not be written: no resume point moves past the loss until a restart rebuilds it. */
    private volatile boolean indexBroken;

    /** Writes the group at the committed end, across segments, and fdatasyncs the segments it touched. */
    private void writeEntries(ByteBuffer buf) throws IOException {
        long pos = committedOffset;
        Segment first = null;
        Segment last = null;
        while (buf.hasRemaining()) {
            if (current == null || pos == current.end) {
                current = nextSegment(pos);
            }
            int n = (int) Math.min(buf.remaining(), current.end - pos);
            // only a group that crosses into the next segment is written in parts
            boolean whole = n == buf.remaining();
            ByteBuffer part = whole ? buf : buf.slice(buf.position(), n);
            while (part.hasRemaining()) {
                pos += current.channel.write(part, pos - current.start);
            }
            if (!whole) {
                buf.position(buf.position() + n);
            }
            if (first == null) {
                first = current;
            }
            last = current;
        }
        if (forceToDisk && first != null) {
            first.channel.force(false);
            if (last != first) {
                last.channel.force(false);
            }
        }
    }

    /** The segment starting at {@code start}: the zero-filled one prepared for it, else a new (growing) file. */
    private Segment nextSegment(long start) throws IOException {
        Segment s = null;
        synchronized (prepLock) {
            if (preparing == start && !renamed) {
                // still zero-filling: rather than stall the group behind it, write a growing file and drop that one
                abandoned = start;
            }
            while (preparing == start && abandoned != start) {
                try {
                    prepLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for the next audit segment", e);
                }
            }
            if (prepared != null && prepared.start == start) {
                s = prepared;
                prepared = null;
            }
        }
        if (s == null) {
            FileChannel ch = FileChannel.open(segmentDir.resolve(segmentName(start)), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            // its name must be durable before anything in it is acknowledged
            fsync(segmentDir, true);
            s = new Segment(start, start + segmentSize(start), ch);
        }
        segments.put(start, s);
        prepareNext(s.end);
        return s;
    }

    private static long segmentSize(long start) {
        return Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, Long.highestOneBit(Math.max(1, start))));
    }

    /** Zero-fills and makes durable, in the background, the segment that will start at {@code start}. */
    private void prepareNext(long start) {
        if (!forceToDisk) {
            return;
        }
        synchronized (prepLock) {
            if (preparing >= 0 || (prepared != null && prepared.start == start)) {
                return;
            }
            discardPrepared();
            preparing = start;
        }
        try {
            preparer.execute(() -> {
                Segment s = null;
                try {
                    s = zeroFilled(start, segmentSize(start));
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "audit segment not preallocated (the writer will grow one): " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    synchronized (prepLock) {
                        prepared = s;
                        preparing = -1;
                        renamed = false;
                        abandoned = -1;
                        prepLock.notifyAll();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            synchronized (prepLock) {
                preparing = -1;
            }
        }
    }

    private void discardPrepared() {
        if (prepared != null) {
            try {
                prepared.channel.close();
                Files.deleteIfExists(segmentDir.resolve(segmentName(prepared.start)));
            } catch (IOException ignored) {
                // a stray zero-filled segment past the end is cut at the next start
            }
            prepared = null;
        }
    }

    private boolean abandoned(long start) {
        synchronized (prepLock) {
            return abandoned == start;
        }
    }

    /** The committed end of the entries, for the zero-fill's pace. */
    private long committedEnd() {
        synchronized (progress) {
            return committedOffset;
        }
    }

    private Segment zeroFilled(long start, long length) throws IOException, InterruptedException {
        Path tmp = segmentDir.resolve(segmentName(start) + ".tmp");
        Path target = segmentDir.resolve(segmentName(start));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(FILL_WRITE);
            long fillStart = System.nanoTime();
            long writerFrom = committedEnd();
            long busy = 0;
            long pos = 0;
            while (pos < length && !abandoned(start)) {
                long began = System.nanoTime();
                long stepEnd = Math.min(length, pos + FILL_STEP);
                while (pos < stepEnd) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), stepEnd - pos));
                    while (zeros.hasRemaining()) {
                        pos += ch.write(zeros, pos);
                    }
                }
                ch.force(true);
                long now = System.nanoTime();
                busy += now - began;
                // Rest as long as the step took (the group commits keep at most half of the disk's time) only while the
                // writer, at its pace since the fill began, reaches this segment well after a resting fill would be done.
                long writer = committedEnd();
                double restingNanos = 2.0 * (length - pos) * busy / pos;
                double arrivalNanos = writer > writerFrom ? (double) (start - writer) * (now - fillStart) / (writer - writerFrom)
                        : Double.MAX_VALUE;
                if (pos < length && arrivalNanos > 2 * restingNanos) {
                    TimeUnit.NANOSECONDS.sleep(now - began);
                }
            }
        }
        synchronized (prepLock) {
            if (abandoned == start) {
                Files.delete(tmp);
                return null;
            }
            // under the lock: the writer never creates this name itself once it is taken
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
        }
        fsync(segmentDir, true);
        return new Segment(start, start + length, FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /**
     * Cuts the entries after a failed group, so that none of its records can be read back behind a later, shorter
     * group; the next group writes from {@code offset} again (into a growing file).
     */
    private void discardFrom(long offset) {
        try {
            for (Segment s : new ArrayList<>(segments.tailMap(offset, true).values())) {
                s.channel.close();
                Files.deleteIfExists(segmentDir.resolve(segmentName(s.start)));
                segments.remove(s.start);
            }
            Map.Entry<Long, Segment> e = segments.lowerEntry(offset);
            current = e == null ? null : e.getValue();
            if (current != null) {
                current.channel.truncate(offset - current.start);
                current.channel.force(true);
            }
            fsync(segmentDir, true);
        } catch (IOException ignored) {
            // the next group overwrites from offset; start-up cuts at the first record that does not check
        }
    }

    /** A full tile goes to the background writer; it is readable from memory at once. */
    private void handOver(String relative, byte[] data) {
        byte[] replaced = pending.put(relative, data);
        pendingBytes.addAndGet(data.length - (replaced == null ? 0 : replaced.length));
        Future<?> previous = unsynced.put(relative, tileWriter.submit(() -> {
            writeTile(relative, data);
            return null;
        }));
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void writeTile(String relative, byte[] data) throws IOException {
        write(relative, data);
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

    // ------------------------------------------------------------------ checkpoints and the resume point

    /**
     * Called by the checkpointer thread, beside the writer's group commits: {@code size} may be behind the committed
     * size. The writer is held only while the partial tiles and the tiles handed over so far are taken (no fsync);
     * the checkpoint files are fsync'd outside the store's lock. The resume point it queues holds {@code size} and
     * the entries offset at that size, so start-up replays the groups committed after it as the tail.
     */
    @Override
    public void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
        long offset = offsetAt(size, partialBundle);
        Map<String, Future<?>> tiles;
        synchronized (this) {
            for (Tile t : partialTiles) {
                handOver(t.path(), t.data());
            }
            // may include full tiles of groups after size: fsyncing them early is harmless (they are derivable)
            tiles = new LinkedHashMap<>(unsynced);
            unsynced.clear();
        }
        try {
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
            synchronized (this) {
                tiles.forEach(unsynced::putIfAbsent);
            }
            throw new AuditStoreException("cannot store audit checkpoint", e);
        }
        byte[] state = (size + " " + offset + "\n" + signedNote).getBytes(StandardCharsets.UTF_8);
        synchronized (advances) {
            advances.add(new PendingAdvance(tiles, state, System.nanoTime()));
        }
    }

    /**
     * The entries offset at tree size {@code size} (where entry {@code size} starts or will start): the start of its
     * entry bundle plus the records of the partial bundle's entries, or the committed end when {@code size} is it.
     */
    private long offsetAt(long size, Bundle partialBundle) {
        int bundle = (int) (size / Tiles.WIDTH);
        int width = (int) (size % Tiles.WIDTH);
        synchronized (progress) {
            if (size > committedSize) {
                throw new AuditStoreException("checkpoint of size " + size + " but the log holds " + committedSize);
            }
            if (width == 0) {
                return bundle < bundles ? bundleStarts[bundle] : committedOffset;
            }
            if (partialBundle == null || partialBundle.width() != width) {
                throw new AuditStoreException("checkpoint of size " + size + " without its partial bundle of " + width + " entries");
            }
            long offset = bundleStarts[bundle];
            for (byte[] e : partialBundle.entries()) {
                offset += HEADER + e.length;
            }
            return offset;
        }
    }

    /**
     * Moves the resume point to the newest checkpoint older than {@link #RESUME_LAG_NANOS} (or to the newest of all,
     * when closing), fsyncing the tiles of every checkpoint up to it together.
     */
    private void advanceDue(boolean all) {
        Map<String, Future<?>> tiles = new LinkedHashMap<>();
        byte[] state = null;
        long now = System.nanoTime();
        synchronized (advances) {
            while (!advances.isEmpty() && (all || now - advances.peek().at() >= RESUME_LAG_NANOS)) {
                PendingAdvance a = advances.poll();
                tiles.putAll(a.tiles());
                state = a.state();
            }
        }
        if (state != null) {
            advance(tiles, state);
        }
    }

    /**
     * Moves the resume point ({@code state}) to a checkpoint once every tile up to it, its partial tiles and the
     * entry index are durable; off the writer thread, in checkpoint order. This is where tiles are fsync'd: once per
     * checkpoint, together, rather than beside every group commit. Until the resume point moves, start-up resumes
     * from an earlier checkpoint and rebuilds the tiles of a longer tail. A failure leaves the previous resume point,
     * which is always safe; the tiles are retried by the next checkpoint's advance.
     */
    private void advance(Map<String, Future<?>> tiles, byte[] state) {
        try {
            if (indexBroken) {
                throw new IOException("entries.idx could not be written");
            }
            for (Map.Entry<String, Future<?>> t : tiles.entrySet()) {
                awaitOrWrite(t.getKey(), t.getValue());
            }
            // in parallel: the file system commits concurrent fsyncs together
            List<Future<?>> syncs = new ArrayList<>(tiles.size());
            for (String p : tiles.keySet()) {
                syncs.add(syncer.submit(() -> {
                    try {
                        fsync(dir.resolve(p), false);
                    } catch (NoSuchFileException gone) {
                        if (!isPartial(dir.resolve(p))) {
                            throw gone;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : syncs) {
                await(f);
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
                if (isPartial(p) && !Files.exists(p)) {
                    continue;
                }
                fsync(p, true);
            }
            created.forEach(newDirectories::remove);
            if (forceToDisk) {
                index.force(true);
            }
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
            LOG.log(Level.WARNING, "audit resume point not advanced (start-up will replay more of the entries): " + e.getMessage());
        }
    }

    /**
     * A partial tile (or its directory). One can be gone when its checkpoint's resume point moves: a checkpoint stored
     * after a later group completed the full tile can hand its partial tile over after an earlier checkpoint's advance
     * has made that full tile durable and removed the partials, which the resume point then falls back to.
     */
    private static boolean isPartial(Path p) {
        String name = p.toString();
        return name.endsWith(".p") || name.contains(".p/");
    }

    private static void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void forceIndexAndSegments() throws IOException {
        if (forceToDisk) {
            index.force(true);
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
            writeTile(relative, data);
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

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<byte[]> readTile(int level, long index, int width) {
        String relative = Tiles.tilePath(level, index, width);
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

    /**
     * The bundle's entries, read as one range of the entries (from its offset in the index to the next bundle's).
     * Only the framing is checked here, not the checksums: what the entries hold is checked against the tiles by
     * whoever verifies the log.
     */
    @Override
    public Optional<List<byte[]>> readBundle(long bundle, int width) {
        long first = bundle * Tiles.WIDTH;
        long from;
        long to;
        synchronized (progress) {
            if (bundle < 0 || bundle >= bundles || first + width > committedSize) {
                return Optional.empty();
            }
            from = bundleStarts[(int) bundle];
            to = bundle + 1 < bundles ? bundleStarts[(int) bundle + 1] : committedOffset;
        }
        byte[] data = new byte[(int) (to - from)];
        try {
            if (read(from, data, 0, data.length) < data.length) {
                throw new AuditStoreException("the entries of bundle " + bundle + " are missing from " + SEGMENTS + "/");
            }
        } catch (IOException e) {
            throw new AuditStoreException("cannot read audit entries", e);
        }
        List<byte[]> out = new ArrayList<>(width);
        int p = 0;
        for (int k = 0; k < width; k++) {
            int len = p + HEADER <= data.length ? getInt(data, p) : -1;
            if (len <= 0 || len > Tiles.MAX_ENTRY_SIZE || p + HEADER + len > data.length) {
                throw new AuditStoreException("audit entry " + (first + k) + " is damaged in " + SEGMENTS + "/");
            }
            out.add(Arrays.copyOfRange(data, p + HEADER, p + HEADER + len));
            p += HEADER + len;
        }
        return Optional.of(out);
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
        preparer.shutdown();
        try {
            advancer.awaitTermination(30, TimeUnit.SECONDS);
            advanceDue(true);
            tileWriter.shutdown();
            preparer.awaitTermination(30, TimeUnit.SECONDS);
            tileWriter.awaitTermination(30, TimeUnit.SECONDS);
            syncer.shutdown();
            syncer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeFiles();
    }

    private synchronized void closeFiles() {
        try {
            index.close();
            for (Segment s : segments.values()) {
                s.channel.close();
            }
            synchronized (prepLock) {
                if (prepared != null) {
                    prepared.channel.close();
                }
            }
        } catch (IOException e) {
            throw new AuditStoreException("cannot close audit directory", e);
        }
    }
}
