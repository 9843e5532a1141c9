package cxg.gateway.audit;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The right edge of a tiled tree: for each tile level its partial tile (the hashes, and the complete nodes above
 * them inside the tile), and the entries of the partial bundle. Everything left of the edge is in full tiles in the
 * store. Appending costs one leaf hash plus, amortised, one node hash, and produces the full tiles and bundles that
 * just completed; the inner nodes are kept so that proofs and roots never rehash a partial tile.
 * <p>
 * An edge never changes. The writer extends it with a {@link Growth}, which writes into the same buffers but only at
 * positions this edge does not count as complete yet (how many nodes a level holds follows from the size alone), and
 * gives a tile or bundle that completes fresh buffers. A group commit therefore copies nothing, and whoever holds a
 * published edge (proofs, tiles, the checkpointer) reads it whole while the writer works on the next one.
 */
final class TreeEdge {

    private static final int HASH = Merkle.HASH_SIZE;
    /** A tile's 256 hashes: handed to the store as the full tile's bytes once it completes, never written again. */
    private static final int LEAVES = Tiles.WIDTH * HASH;
    /** The nodes at heights 1..7 inside a tile (128 + 64 + ... + 2); its root (height 8) goes to the next level. */
    private static final int INNER = (Tiles.WIDTH - 2) * HASH;

    private final long size;
    /** leaves[L]: the hashes of the partial tile of level L; inner[L] its nodes at heights 1..7, row by row. */
    private final byte[][] leaves;
    private final byte[][] inner;
    /** The partial bundle's entries in its first slots; later slots belong to a growth of this edge. */
    private final byte[][] bundle;

    TreeEdge() {
        this(0, new byte[0][], new byte[0][], new byte[Tiles.WIDTH][]);
    }

    private TreeEdge(long size, byte[][] leaves, byte[][] inner, byte[][] bundle) {
        this.size = size;
        this.leaves = leaves;
        this.inner = inner;
        this.bundle = bundle;
    }

    /** Rebuilds the edge of a tree of {@code size} from its partial tiles and partial bundle. */
    static TreeEdge restore(long size, List<byte[]> partialTiles, List<byte[]> partialBundle) {
        int levels = partialTiles.size();
        byte[][] leaves = new byte[levels][];
        byte[][] inner = new byte[levels][];
        for (int level = 0; level < levels; level++) {
            byte[] tile = partialTiles.get(level);
            int width = Tiles.partialWidth(level, size);
            if (tile.length != width * HASH) {
                throw new IllegalStateException("partial tile at level " + level + " has the wrong width for size " + size);
            }
            leaves[level] = Arrays.copyOf(tile, LEAVES);
            inner[level] = new byte[INNER];
            Tiles.hashRows(leaves[level], width, inner[level], 0);
        }
        if (partialBundle.size() != Tiles.partialWidth(0, size)) {
            throw new IllegalStateException("partial bundle has the wrong width for size " + size);
        }
        byte[][] bundle = new byte[Tiles.WIDTH][];
        for (int i = 0; i < partialBundle.size(); i++) {
            bundle[i] = partialBundle.get(i);
        }
        return new TreeEdge(size, leaves, inner, bundle);
    }

    /** Where the nodes of {@code height} (1..7) start in a tile's inner buffer, in hashes. */
    private static int rowStart(int height) {
        return Tiles.rowStart(height) - Tiles.WIDTH;
    }

    /** A writer that extends this edge; this edge stays as it is. */
    Growth grow() {
        return new Growth(this);
    }

    /**
     * An equal edge with buffers of its own: after a growth was refused by the store, whatever it wrote into the shared
     * buffers (and any full tile it handed over) is left alone, and the next growth starts from clean buffers.
     */
    TreeEdge copy() {
        byte[][] l = new byte[leaves.length][];
        byte[][] in = new byte[inner.length][];
        for (int level = 0; level < leaves.length; level++) {
            l[level] = leaves[level].clone();
            in[level] = inner[level].clone();
        }
        return new TreeEdge(size, l, in, bundle.clone());
    }

    long size() {
        return size;
    }

    /**
     * The node at {@code height} (0..7) and position {@code i} (counted from the tile's start) inside the partial tile
     * of tile level {@code level}; it must be complete.
     */
    byte[] partialNode(int level, int height, int i) {
        if (level >= leaves.length || i < 0 || i >= Tiles.partialWidth(level, size) >> height) {
            throw new IllegalArgumentException("node " + i + " at height " + height + " of level " + level
                    + " is not complete in a tree of " + size);
        }
        int at = (height == 0 ? i : rowStart(height) + i) * HASH;
        return Arrays.copyOfRange(height == 0 ? leaves[level] : inner[level], at, at + HASH);
    }

    List<Tile> partialTiles() {
        Tile[] out = new Tile[leaves.length];
        int n = 0;
        for (int level = 0; level < leaves.length; level++) {
            int width = Tiles.partialWidth(level, size);
            if (width > 0) {
                out[n++] = new Tile(level, Tiles.partialIndex(level, size), width, Arrays.copyOf(leaves[level], width * HASH));
            }
        }
        return List.of(Arrays.copyOf(out, n));
    }

    /** The partial bundle, or null when the last bundle is full. */
    Bundle partialBundle() {
        return size % Tiles.WIDTH == 0 ? null : new Bundle(Tiles.partialIndex(0, size), bundleEntries());
    }

    List<byte[]> bundleEntries() {
        return Collections.unmodifiableList(Arrays.asList(bundle).subList(0, Tiles.partialWidth(0, size)));
    }

    /**
     * Extends an edge, on the writer thread. It writes into the buffers it shares with the edge it grew from only past
     * that edge's nodes, and replaces a level's buffers (or the bundle's) once they are full.
     */
    static final class Growth {

        private long size;
        private byte[][] leaves;
        private byte[][] inner;
        private byte[][] bundle;
        /** Whether {@link #leaves} and {@link #inner} are an edge's own arrays: replace a level only in a copy of them. */
        private boolean shared = true;

        private Growth(TreeEdge from) {
            this.size = from.size;
            this.leaves = from.leaves;
            this.inner = from.inner;
            this.bundle = from.bundle;
        }

        /** Appends one entry; full tiles and bundles it completes are added to the two lists. */
        void append(byte[] entry, List<Tile> fullTiles, List<Bundle> fullBundles) {
            append(entry, Merkle.leafHash(entry), fullTiles, fullBundles);
        }

        /** Appends one entry whose leaf hash the caller computed. */
        void append(byte[] entry, byte[] leafHash, List<Tile> fullTiles, List<Bundle> fullBundles) {
            int slot = Tiles.partialWidth(0, size);
            bundle[slot] = entry;
            long s = ++size;
            if (slot == Tiles.WIDTH - 1) {
                fullBundles.add(new Bundle(s / Tiles.WIDTH - 1, Arrays.asList(bundle)));
                bundle = new byte[Tiles.WIDTH][];
            }
            byte[] node = leafHash;
            for (int level = 0; node != null; level++) {
                node = push(level, node, s, fullTiles);
            }
        }

        /** Adds a hash to the partial tile of {@code level} and the inner nodes it completes; the tile's root once it is full. */
        private byte[] push(int level, byte[] hash, long s, List<Tile> fullTiles) {
            if (level == leaves.length) {
                leaves = Arrays.copyOf(leaves, level + 1);
                inner = Arrays.copyOf(inner, level + 1);
                shared = false;
                leaves[level] = new byte[LEAVES];
                inner[level] = new byte[INNER];
            }
            byte[] hashes = leaves[level];
            byte[] nodes = inner[level];
            int i = (Tiles.partialWidth(level, s) - 1) & (Tiles.WIDTH - 1);
            System.arraycopy(hash, 0, hashes, i * HASH, HASH);
            byte[] below = hashes;
            int from = 0;
            for (int height = 1; height < Tiles.HEIGHT; height++) {
                if ((i & 1) == 0) {
                    return null;
                }
                int to = rowStart(height);
                Merkle.nodeHash(below, (from + i - 1) * HASH, below, (from + i) * HASH, nodes, (to + (i >> 1)) * HASH);
                below = nodes;
                from = to;
                i >>= 1;
            }
            if ((i & 1) == 0) {
                return null;
            }
            byte[] root = Merkle.nodeHash(nodes, (from + i - 1) * HASH, nodes, (from + i) * HASH);
            long index = (s >>> (Tiles.HEIGHT * (level + 1))) - 1;
            fullTiles.add(new Tile(level, index, Tiles.WIDTH, hashes));
            if (shared) {
                leaves = leaves.clone();
                inner = inner.clone();
                shared = false;
            }
            leaves[level] = new byte[LEAVES];
            inner[level] = new byte[INNER];
            return root;
        }

        /** The edge as grown so far; the growth may go on, without changing it. */
        TreeEdge edge() {
            shared = true;
            return new TreeEdge(size, leaves, inner, bundle);
        }
    }
}
