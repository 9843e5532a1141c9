package cxg.gateway.audit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable storage of the audit log: entries, full tiles and bundles, and signed checkpoints
 * with the partial tiles of their tree sizes. Every method either completes durably or throws
 * {@link AuditStoreException} leaving the durable state as it was. {@link #commit} is called by one
 * writer thread, {@link #checkpoint} by one checkpointer thread, possibly at the same time; the read
 * methods may be called concurrently.
 */
public interface LogStore extends AutoCloseable {

    /**
     * What start-up resumes from: the size and note of the last stored checkpoint (whose partial
     * tiles are stored), and the entries made durable after it, in order.
     */
    record Recovered(long checkpointSize, Optional<String> checkpoint, List<byte[]> tail) {
    }

    Recovered recover();

    /**
     * Makes {@code entries} (indexes from {@code firstIndex}) durable together with the full tiles
     * and bundles they complete. {@code entries} may be empty when start-up rewrites tiles of entries
     * that are already durable.
     */
    void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles);

    /**
     * Keeps a signed checkpoint of tree {@code size} with that size's partial tiles and bundle (may be null).
     * {@code size} may be behind the committed size: groups committed after the tree was taken are not in it.
     */
    void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote);

    /** A stored tile, or empty. */
    Optional<byte[]> readTile(int level, long index, int width);

    /** A full tile's coordinates. */
    record TileId(int level, long index) {
    }

    /** The stored full tiles among {@code ids}, for proofs. A store that can read several in one round trip overrides this. */
    default Map<TileId, byte[]> readFullTiles(Collection<TileId> ids) {
        Map<TileId, byte[]> out = new HashMap<>();
        for (TileId id : ids) {
            readTile(id.level(), id.index(), Tiles.WIDTH).ifPresent(data -> out.put(id, data));
        }
        return out;
    }

    /** The entries of a stored bundle, or empty. */
    Optional<List<byte[]>> readBundle(long index, int width);

    /** Every signed checkpoint kept, oldest first. */
    List<String> checkpoints();

    @Override
    void close();
}
