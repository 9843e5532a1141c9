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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The embedded store: a directory laid out so that it can be served as a C2SP tlog-tiles log.
 * <ul>
 * <li>{@code entries.log} — the write-ahead log: records {@code [u32 length][u32 CRC32C][entry]},
 * fsync'd once per group commit; nothing is acknowledged before that;</li>
 * <li>{@code tile/...} — full tiles and entry bundles, written as they complete and fsync'd at the
 * next checkpoint (until then start-up rebuilds them from {@code entries.log});</li>
 * <li>{@code checkpoint}, {@code checkpoints.log} — the latest signed checkpoint and all of them;</li>
 * <li>{@code state} — tree size and {@code entries.log} offset of the latest checkpoint, from which
 * start-up resumes without a rescan.</li>
 * </ul>
 */
public final class DirectoryLogStore implements LogStore {

    private static final int HEADER = 8;

    private final Path dir;
    private final FileChannel entries;
    private final Set<Path> unsynced = new LinkedHashSet<>();
    private long committedSize;
    private long committedOffset;

    private DirectoryLogStore(Path dir, FileChannel entries) {
        this.dir = dir;
        this.entries = entries;
    }

    public static DirectoryLogStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve("entries.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new DirectoryLogStore(dir, ch);
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
            Path state = dir.resolve("state");
            if (Files.exists(state)) {
                String[] parts = Files.readString(state, StandardCharsets.US_ASCII).trim().split(" ");
                size = Long.parseLong(parts[0]);
                offset = Long.parseLong(parts[1]);
            }
            Path cp = dir.resolve("checkpoint");
            Optional<String> checkpoint = Files.exists(cp) ? Optional.of(Files.readString(cp, StandardCharsets.UTF_8)) : Optional.empty();
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
                if (crc32c(body.array()) != crc) {
                    break;
                }
                tail.add(body.array());
                pos += HEADER + len;
            }
            if (pos < end) {
                // A torn record was never acknowledged: its group's fsync did not complete.
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

    private static int crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return (int) c.getValue();
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
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        for (byte[] e : batch) {
            buf.putInt(e.length).putInt(crc32c(e)).put(e);
        }
        buf.flip();
        try {
            long pos = committedOffset;
            while (buf.hasRemaining()) {
                pos += entries.write(buf, pos);
            }
            for (Tile t : fullTiles) {
                unsynced.add(write(t.path(), t.data()));
            }
            for (Bundle b : fullBundles) {
                unsynced.add(write(b.path(), b.encode()));
            }
            entries.force(false);
        } catch (IOException | UncheckedIOException e) {
            try {
                entries.truncate(committedOffset);
            } catch (IOException ignored) {
                // start-up truncates a torn tail anyway
            }
            throw new AuditStoreException("cannot make audit entries durable", e);
        }
        committedSize += batch.size();
        committedOffset += bytes;
    }

    private Path write(String relative, byte[] data) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return p;
    }

    @Override
    public synchronized void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
        if (size != committedSize) {
            throw new AuditStoreException("checkpoint of size " + size + " but the log holds " + committedSize);
        }
        try {
            List<Path> written = new ArrayList<>();
            for (Tile t : partialTiles) {
                written.add(write(t.path(), t.data()));
            }
            if (partialBundle != null) {
                written.add(write(partialBundle.path(), partialBundle.encode()));
            }
            Set<Path> parents = new LinkedHashSet<>();
            for (Path p : unsynced) {
                fsync(p, false);
                parents.add(p.getParent());
            }
            for (Path p : written) {
                fsync(p, false);
                parents.add(p.getParent());
            }
            for (Path p : parents) {
                fsync(p, true);
            }
            // Partial tiles may go once their full tile is durable (C2SP tlog-tiles).
            for (Path p : unsynced) {
                deleteTree(p.resolveSibling(p.getFileName() + ".p"));
            }
            unsynced.clear();
            byte[] note = signedNote.getBytes(StandardCharsets.UTF_8);
            try (FileChannel log = FileChannel.open(dir.resolve("checkpoints.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.allocate(4 + note.length).putInt(note.length).put(note);
                buf.flip();
                while (buf.hasRemaining()) {
                    log.write(buf);
                }
                log.force(true);
            }
            replace("checkpoint", note);
            replace("state", (size + " " + committedOffset + "\n").getBytes(StandardCharsets.US_ASCII));
            fsync(dir, true);
        } catch (IOException | UncheckedIOException e) {
            throw new AuditStoreException("cannot store audit checkpoint", e);
        }
    }

    private void replace(String name, byte[] data) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, data);
        fsync(tmp, false);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void fsync(Path p, boolean directory) throws IOException {
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
    public synchronized void close() {
        try {
            entries.close();
        } catch (IOException e) {
            throw new AuditStoreException("cannot close audit directory", e);
        }
    }
}
