package cxg.gateway.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a tiled tree: for each level the hashes of its partial tile, and the
 * entries of the partial bundle. Everything left of the edge is in full tiles in the store.
 * Appending produces the full tiles and bundles that just completed. Not thread-safe: the
 * writer works on a {@link #copy()} and publishes it once the store has made it durable.
 */
final class TreeEdge {

    private long size;
    private final List<List<byte[]>> levels;
    private final List<byte[]> bundle;

    TreeEdge() {
        this(0, new ArrayList<>(), new ArrayList<>());
    }

    private TreeEdge(long size, List<List<byte[]>> levels, List<byte[]> bundle) {
        this.size = size;
        this.levels = levels;
        this.bundle = bundle;
    }

    /** Rebuilds the edge of a tree of {@code size} from its partial tiles and partial bundle. */
    static TreeEdge restore(long size, List<byte[]> partialTiles, List<byte[]> partialBundle) {
        List<List<byte[]>> levels = new ArrayList<>();
        for (int level = 0; level < partialTiles.size(); level++) {
            byte[] tile = partialTiles.get(level);
            int width = Tiles.partialWidth(level, size);
            if (tile.length != width * Merkle.HASH_SIZE) {
                throw new IllegalStateException("partial tile at level " + level + " has the wrong width for size " + size);
            }
            List<byte[]> hashes = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                hashes.add(Tiles.slice(tile, i));
            }
            levels.add(hashes);
        }
        if (partialBundle.size() != Tiles.partialWidth(0, size)) {
            throw new IllegalStateException("partial bundle has the wrong width for size " + size);
        }
        return new TreeEdge(size, levels, new ArrayList<>(partialBundle));
    }

    TreeEdge copy() {
        List<List<byte[]>> l = new ArrayList<>();
        for (List<byte[]> level : levels) {
            l.add(new ArrayList<>(level));
        }
        return new TreeEdge(size, l, new ArrayList<>(bundle));
    }

    long size() {
        return size;
    }

    /** Appends one entry; full tiles and bundles it completes are added to the two lists. */
    void append(byte[] entry, List<Tile> fullTiles, List<Bundle> fullBundles) {
        byte[] hash = Merkle.leafHash(entry);
        bundle.add(entry);
        size++;
        if (bundle.size() == Tiles.WIDTH) {
            fullBundles.add(new Bundle(size / Tiles.WIDTH - 1, bundle));
            bundle.clear();
        }
        int level = 0;
        while (hash != null) {
            if (levels.size() == level) {
                levels.add(new ArrayList<>());
            }
            List<byte[]> row = levels.get(level);
            row.add(hash);
            hash = null;
            if (row.size() == Tiles.WIDTH) {
                byte[] data = Tiles.concat(row);
                long index = (size >>> (Tiles.HEIGHT * (level + 1))) - 1;
                fullTiles.add(new Tile(level, index, Tiles.WIDTH, data));
                hash = Tiles.tileRoot(data, 0, Tiles.WIDTH);
                row.clear();
                level++;
            }
        }
    }

    /** The hashes of the partial tile at {@code level} (possibly empty). */
    List<byte[]> partialHashes(int level) {
        return level < levels.size() ? levels.get(level) : List.of();
    }

    List<Tile> partialTiles() {
        List<Tile> out = new ArrayList<>();
        for (int level = 0; level < levels.size(); level++) {
            List<byte[]> row = levels.get(level);
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
