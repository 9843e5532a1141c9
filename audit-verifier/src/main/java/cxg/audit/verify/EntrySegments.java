package cxg.audit.verify;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The entries of a cxg directory store, read without the gateway's code: {@code entries/<start>.log} files, named
 * by their start offset (16 hex digits), are one byte stream when concatenated in name order, of records
 * {@code [u32 length][u32 checksum][entry]} (big-endian), ending at a zero length (a preallocated tail) or the end
 * of the files. The checksums only tell the store where a torn write ends; they are not checked here, since every
 * entry is checked against the hash tiles. Entry bundles ({@code tile/entries/<N>[.p/<W>]}) are made from them.
 */
final class EntrySegments {

    static final String DIR = "entries";
    static final String BUNDLES = "tile/entries/";
    private static final int WIDTH = 256;
    private static final int MAX_ENTRY = 0xFFFF;

    private final List<Path> files;
    private final List<Long> starts;
    /** Stream offset of entry 256·k, and the offset where the records end. */
    private final long[] bundleStarts;
    private final long entries;
    private final long end;

    private EntrySegments(List<Path> files, List<Long> starts, long[] bundleStarts, long entries, long end) {
        this.files = files;
        this.starts = starts;
        this.bundleStarts = bundleStarts;
        this.entries = entries;
        this.end = end;
    }

    /** One pass over the records, noting where each bundle starts. */
    static EntrySegments scan(Path dir) throws IOException {
        List<Path> named;
        try (Stream<Path> list = Files.list(dir)) {
            named = list.filter(p -> p.getFileName().toString().matches("[0-9a-f]{16}\\.log")).sorted().toList();
        }
        // the stream runs through files that continue each other (a file named by its offset in it); a gap ends it
        List<Path> files = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        List<InputStream> streams = new ArrayList<>();
        long at = 0;
        for (Path f : named) {
            if (Long.parseUnsignedLong(f.getFileName().toString().substring(0, 16), 16) != at) {
                break;
            }
            files.add(f);
            starts.add(at);
            at += Files.size(f);
            streams.add(Files.newInputStream(f));
        }
        long[] bundleStarts = new long[16];
        int bundles = 0;
        long pos = 0;
        long n = 0;
        try (InputStream in = new java.io.BufferedInputStream(new SequenceInputStream(Collections.enumeration(streams)), 1 << 20)) {
            byte[] header = new byte[8];
            while (in.readNBytes(header, 0, 8) == 8) {
                int len = ByteBuffer.wrap(header).getInt();
                if (len <= 0 || len > MAX_ENTRY) {
                    break;
                }
                try {
                    in.skipNBytes(len);
                } catch (java.io.EOFException torn) {
                    break;
                }
                if (n % WIDTH == 0) {
                    if (bundles == bundleStarts.length) {
                        bundleStarts = Arrays.copyOf(bundleStarts, bundles * 2);
                    }
                    bundleStarts[bundles++] = pos;
                }
                pos += 8 + len;
                n++;
            }
        }
        return new EntrySegments(files, starts, Arrays.copyOf(bundleStarts, bundles), n, pos);
    }

    /** The bundle at {@code N[.p/W]} (the part after {@code tile/entries/}), encoded as tlog-tiles serves it. */
    Optional<byte[]> bundle(String coordinates) throws IOException {
        int dot = coordinates.indexOf(".p/");
        String index = dot < 0 ? coordinates : coordinates.substring(0, dot);
        if (!index.matches("(x\\d{3}/)*\\d{3}")) {
            return Optional.empty();
        }
        long tile = Long.parseLong(index.replace("x", "").replace("/", ""));
        long first = tile * WIDTH;
        if (tile >= bundleStarts.length) {
            return Optional.empty();
        }
        // a log cut short gives the entries it still has, so that the verifier names the first missing one
        int width = (int) Math.min(dot < 0 ? WIDTH : Integer.parseInt(coordinates.substring(dot + 3)), entries - first);
        long from = bundleStarts[(int) tile];
        long to = tile + 1 < bundleStarts.length ? bundleStarts[(int) tile + 1] : end;
        ByteBuffer range = read(from, (int) (to - from));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int k = 0; k < width; k++) {
            int len = range.getInt();
            range.getInt();
            out.write(len >>> 8);
            out.write(len);
            byte[] e = new byte[len];
            range.get(e);
            out.write(e);
        }
        return Optional.of(out.toByteArray());
    }

    private ByteBuffer read(long from, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        for (int i = 0; i < files.size() && buf.hasRemaining(); i++) {
            long start = starts.get(i);
            long pos = from + buf.position();
            try (FileChannel ch = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
                if (pos < start || pos >= start + ch.size()) {
                    continue;
                }
                while (buf.hasRemaining() && ch.read(buf, from + buf.position() - start) > 0) {
                    // until this file ends or the range is read
                }
            }
        }
        return buf.flip();
    }
}
