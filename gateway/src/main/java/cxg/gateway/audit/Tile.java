package cxg.gateway.audit;

/** A Merkle tile (level ≥ 0) or an entry bundle: its coordinates and its bytes as served. */
public record Tile(int level, long index, int width, byte[] data) {

    public String path() {
        return Tiles.tilePath(level, index, width);
    }

    public boolean full() {
        return width == Tiles.WIDTH;
    }
}
