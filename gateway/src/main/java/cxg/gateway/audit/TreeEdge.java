package cxg.gateway.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a tiled tree: for each tile level the complete nodes of its partial tile at
 * every height inside the tile (height 0 is the tile's own hashes), and the entries of the partial
 * bundle. Everything left of the edge is in full tiles in the store. Appending costs one leaf hash
 * plus, amortised, one node hash, and produces the full tiles and bundles that just completed; the
 * inner nodes are kept so that proofs and roots never rehash a partial tile. Not thread-safe: the
 * writer works on a {@link #copy()} and publishes it once the store has made it durable, after
 * which it is never changed.
 */
final class TreeEdge {

    private long size;
    /** levels.get(L).get(h): complete nodes at height h inside the partial tile of tile level L. */
    private final List<List<List<byte[]>>> levels;
    private final List<byte[]> bundle;

    TreeEdge() {
        this(0, new ArrayList<>(), new ArrayList<>());
    }

    private TreeEdge(long size, List<List<List<byte[]>>> levels, List<byte[]> bundle) {
        this.size = size;
        this.levels = levels;
        this.bundle = bundle;
    }

    /** Rebuilds the edge of a tree of {@code size} from its partial tiles and partial bundle. */
    static TreeEdge restore(long size, List<byte[]> partialTiles, List<byte[]> partialBundle) {
        TreeEdge edge = new TreeEdge(size, new ArrayList<>(), new ArrayList<>(partialBundle));
        for (int level = 0; level < partialTiles.size(); level++) {
            byte[] tile = partialTiles.get(level);
            int width = Tiles.partialWidth(level, size);
            if (tile.length != width * Merkle.HASH_SIZE) {
                throw new IllegalStateException("partial tile at level " + level + " has the wrong width for size " + size);
            }
            List<List<byte[]>> rows = edge.rows(level);
            for (int i = 0; i < width; i++) {
                push(rows, Tiles.slice(tile, i));
            }
        }
        if (partialBundle.size() != Tiles.partialWidth(0, size)) {
            throw new IllegalStateException("partial bundle has the wrong width for size " + size);
        }
        return edge;
    }

    TreeEdge copy() {
        List<List<List<byte[]>>> l = new ArrayList<>(levels.size() + 1);
        for (List<List<byte[]>> rows : levels) {
            List<List<byte[]>> r = new ArrayList<>(Tiles.HEIGHT);
            for (List<byte[]> row : rows) {
                r.add(new ArrayList<>(row));
            }
            l.add(r);
        }
        return new TreeEdge(size, l, new ArrayList<>(bundle));
    }

    long size() {
        return size;
    }

    private List<List<byte[]>> rows(int level) {
        while (levels.size() <= level) {
            List<List<byte[]>> rows = new ArrayList<>(Tiles.HEIGHT);
            for (int h = 0; h < Tiles.HEIGHT; h++) {
                rows.add(new ArrayList<>());
            }
            levels.add(rows);
        }
        return levels.get(level);
    }

    /** Adds a hash to a tile's bottom row and every inner node it completes; returns the tile's root once it is full. */
    private static byte[] push(List<List<byte[]>> rows, byte[] hash) {
        byte[] node = hash;
        for (int h = 0; h < Tiles.HEIGHT; h++) {
            List<byte[]> row = rows.get(h);
            row.add(node);
            if ((row.size() & 1) == 1) {
                return null;
            }
            node = Merkle.nodeHash(row.get(row.size() - 2), node);
        }
        return node;
    }

    /** Appends one entry; full tiles and bundles it completes are added to the two lists. */
    void append(byte[] entry, List<Tile> fullTiles, List<Bundle> fullBundles) {
        append(entry, Merkle.leafHash(entry), fullTiles, fullBundles);
    }

    /** Appends one entry whose leaf hash the caller computed. */
    void append(byte[] entry, byte[] leafHash, List<Tile> fullTiles, List<Bundle> fullBundles) {
        byte[] hash = leafHash;
        bundle.add(entry);
        size++;
        if (bundle.size() == Tiles.WIDTH) {
            fullBundles.add(new Bundle(size / Tiles.WIDTH - 1, bundle));
            bundle.clear();
        }
        for (int level = 0; hash != null; level++) {
            List<List<byte[]>> rows = rows(level);
            byte[] root = push(rows, hash);
            hash = null;
            if (root != null) {
                long index = (size >>> (Tiles.HEIGHT * (level + 1))) - 1;
                fullTiles.add(new Tile(level, index, Tiles.WIDTH, Tiles.concat(rows.get(0))));
                for (List<byte[]> row : rows) {
                    row.clear();
                }
                hash = root;
            }
        }
    }

    /**
     * The node at {@code height} (0..7) and position {@code i} (counted from the tile's start) inside
     * the partial tile of tile level {@code level}; it must be complete.
     */
    byte[] partialNode(int level, int height, int i) {
        return levels.get(level).get(height).get(i);
    }

    List<Tile> partialTiles() {
        List<Tile> out = new ArrayList<>();
        for (int level = 0; level < levels.size(); level++) {
            List<byte[]> row = levels.get(level).get(0);
            if (!row.isEmpty()) {
                out.add(new Tile(level, Tiles.partialIndex(level, size), row.size(), Tiles.concat(row)));
            }
        }
        return out;
    }

    /** The partial bundle, or null when the last bundle is full. */
    Bundle partialBundle() {
        return bundle.isEmpty() ? null : new Bundle(Tiles.partialIndex(0, size), bundle);
    }

    List<byte[]> bundleEntries() {
        return bundle;
    }
}
