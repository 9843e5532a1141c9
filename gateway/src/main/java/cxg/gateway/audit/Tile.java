package cxg.gateway.audit;

/**
 * A Merkle tile (level ≥ 0): its coordinates and its bytes as served; for a full tile just completed,
 * also its inner nodes (the 255 hashes above its 256, bottom-up, ending with the tile's root), which the
 * writer has computed anyway and a store may keep so that proofs need not rehash the tile.
 */
public record Tile(int level, long index, int width, byte[] data, byte[] innerNodes) {

    public Tile(int level, long index, int width, byte[] data) {
        this(level, index, width, data, null);
    }

    public String path() {
        return Tiles.tilePath(level, index, width);
    }

    public boolean full() {
        return width == Tiles.WIDTH;
    }
}
