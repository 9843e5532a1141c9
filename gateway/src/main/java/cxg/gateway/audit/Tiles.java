package cxg.gateway.audit;

import java.util.ArrayList;
import java.util.List;

/** C2SP tlog-tiles geometry: tile height 8, 256 hashes per full tile, paths and entry bundles. */
public final class Tiles {

    public static final int HEIGHT = 8;
    public static final int WIDTH = 1 << HEIGHT;
    /** Entry bundles prefix each entry with a big-endian uint16 length. */
    public static final int MAX_ENTRY_SIZE = 0xFFFF;

    private Tiles() {
    }

    /** {@code tile/<L>/<N>[.p/<W>]}; a width of 256 is a full tile. */
    public static String tilePath(int level, long index, int width) {
        return "tile/" + level + "/" + encodeIndex(index) + partialSuffix(width);
    }

    /** {@code tile/entries/<N>[.p/<W>]}. */
    public static String bundlePath(long index, int width) {
        return "tile/entries/" + encodeIndex(index) + partialSuffix(width);
    }

    private static String partialSuffix(int width) {
        if (width < 1 || width > WIDTH) {
            throw new IllegalArgumentException("tile width " + width + " outside 1..256");
        }
        return width == WIDTH ? "" : ".p/" + width;
    }

    /** Index 1234067 becomes {@code x001/x234/067}. */
    public static String encodeIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("negative tile index");
        }
        StringBuilder sb = new StringBuilder();
        threeDigits(sb, index % 1000);
        for (long n = index / 1000; n > 0; n /= 1000) {
            sb.insert(0, '/');
            threeDigits(sb, n % 1000);
            sb.insert(0, 'x');
        }
        return sb.toString();
    }

    /** Inserts {@code n} (0..999) as three digits at the front. */
    private static void threeDigits(StringBuilder sb, long n) {
        sb.insert(0, (char) ('0' + n % 10));
        sb.insert(0, (char) ('0' + n / 10 % 10));
        sb.insert(0, (char) ('0' + n / 100));
    }

    /** Width of the partial tile at {@code level} for a tree of {@code size}: floor(size / 256^level) mod 256. */
    public static int partialWidth(int level, long size) {
        return (int) ((size >>> (HEIGHT * level)) & (WIDTH - 1));
    }

    /** Index of the rightmost (possibly partial) tile at {@code level} for a tree of {@code size}. */
    public static long partialIndex(int level, long size) {
        return size >>> (HEIGHT * (level + 1));
    }

    /**
     * Where the row of {@code height} (0..8) starts in a tile's flat layout, in hashes: its 256 hashes, then the 128
     * nodes one level up, and so on to its root (511 hashes in all).
     */
    static int rowStart(int height) {
        return 2 * WIDTH - (2 * WIDTH >> height);
    }

    /**
     * Hashes the complete nodes above the first {@code width} hashes of {@code hashes} into {@code rows}, each row where
     * the flat layout puts it, shifted so that the layout's height-1 row starts at hash {@code rowsAt} of {@code rows}.
     */
    static void hashRows(byte[] hashes, int width, byte[] rows, int rowsAt) {
        byte[] below = hashes;
        int from = 0;
        for (int height = 1; width >> height > 0; height++) {
            int to = rowsAt + rowStart(height) - WIDTH;
            for (int i = 0; i < width >> height; i++) {
                Merkle.nodeHash(below, (from + 2 * i) * Merkle.HASH_SIZE, below, (from + 2 * i + 1) * Merkle.HASH_SIZE,
                        rows, (to + i) * Merkle.HASH_SIZE);
            }
            below = rows;
            from = to;
        }
    }

    /** Where the node {@code index} of tree level {@code level} lies: in which tile, at which height and position there. */
    record NodeAt(int tileLevel, long tileIndex, int height, int position) {

        static NodeAt of(int level, long index) {
            int height = level % HEIGHT;
            long first = index << height;
            return new NodeAt(level / HEIGHT, first >>> HEIGHT, height, (int) (first & (WIDTH - 1)) >> height);
        }
    }

    /** Number of levels that hold any tile for a tree of {@code size}. */
    public static int levels(long size) {
        int levels = 0;
        while ((size >>> (HEIGHT * levels)) > 0) {
            levels++;
        }
        return levels;
    }

    /** Sized up front and filled in place: on the writer thread this ran as a growing stream, half its CPU time. */
    public static byte[] encodeBundle(List<byte[]> entries) {
        int size = 0;
        for (byte[] e : entries) {
            if (e.length > MAX_ENTRY_SIZE) {
                throw new IllegalArgumentException("entry of " + e.length + " bytes exceeds " + MAX_ENTRY_SIZE);
            }
            size += 2 + e.length;
        }
        byte[] out = new byte[size];
        int p = 0;
        for (byte[] e : entries) {
            out[p] = (byte) (e.length >>> 8);
            out[p + 1] = (byte) e.length;
            System.arraycopy(e, 0, out, p + 2, e.length);
            p += 2 + e.length;
        }
        return out;
    }

    public static List<byte[]> decodeBundle(byte[] bundle) {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (p < bundle.length) {
            if (p + 2 > bundle.length) {
                throw new IllegalArgumentException("truncated entry bundle");
            }
            int len = ((bundle[p] & 0xFF) << 8) | (bundle[p + 1] & 0xFF);
            p += 2;
            if (p + len > bundle.length) {
                throw new IllegalArgumentException("truncated entry bundle");
            }
            byte[] e = new byte[len];
            System.arraycopy(bundle, p, e, 0, len);
            out.add(e);
            p += len;
        }
        return out;
    }

    public static byte[] slice(byte[] tile, int hashIndex) {
        byte[] h = new byte[Merkle.HASH_SIZE];
        System.arraycopy(tile, hashIndex * Merkle.HASH_SIZE, h, 0, Merkle.HASH_SIZE);
        return h;
    }

    public static byte[] concat(List<byte[]> hashes) {
        byte[] out = new byte[hashes.size() * Merkle.HASH_SIZE];
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, out, i * Merkle.HASH_SIZE, Merkle.HASH_SIZE);
        }
        return out;
    }
}
