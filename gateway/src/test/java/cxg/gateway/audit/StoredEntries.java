package cxg.gateway.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The entries of a directory store as its files hold them (the {@code entries/} segments), read and rewritten
 * the way someone with write access to the directory could: records re-framed with valid checksums, the
 * files keeping their names and sizes.
 */
final class StoredEntries {

    private StoredEntries() {
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(DirectoryLogStore.SEGMENTS))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static byte[] stream(Path dir) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : segments(dir)) {
            all.write(Files.readAllBytes(p));
        }
        return all.toByteArray();
    }

    /** Every entry, in order, up to the end of the records. */
    static List<byte[]> read(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(stream(dir));
        List<byte[]> out = new ArrayList<>();
        while (b.remaining() >= 8) {
            int len = b.getInt();
            b.getInt();
            if (len <= 0 || len > b.remaining()) {
                break;
            }
            byte[] e = new byte[len];
            b.get(e);
            out.add(e);
        }
        return out;
    }

    /** The logical offset where the records end. */
    static long end(Path dir) throws IOException {
        long end = 0;
        for (byte[] e : read(dir)) {
            end += 8 + e.length;
        }
        return end;
    }

    /** Replaces the stored entries with {@code entries} (zeros after them), as valid records. */
    static void write(Path dir, List<byte[]> entries) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            CRC32C crc = new CRC32C();
            crc.update(ByteBuffer.allocate(4).putInt(e.length).array());
            crc.update(e);
            records.write(ByteBuffer.allocate(8).putInt(e.length).putInt((int) crc.getValue()).array());
            records.write(e);
        }
        writeStream(dir, records.toByteArray(), 0);
    }

    /** Writes {@code bytes} at logical offset {@code at} of the stream, zeroing everything after them. */
    static void writeStream(Path dir, byte[] bytes, long at) throws IOException {
        byte[] old = stream(dir);
        byte[] all = Arrays.copyOf(old, (int) Math.max(old.length, at + bytes.length));
        Arrays.fill(all, (int) at, all.length, (byte) 0);
        System.arraycopy(bytes, 0, all, (int) at, bytes.length);
        List<Path> files = segments(dir);
        int pos = 0;
        for (int i = 0; i < files.size(); i++) {
            int n = i == files.size() - 1 ? all.length - pos : (int) Files.size(files.get(i));
            Files.write(files.get(i), Arrays.copyOfRange(all, pos, pos + n));
            pos += n;
        }
    }
}
