package cxg.gateway.audit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A real store seen through a test's wrapper: every call goes to {@code delegate} unless the wrapper overrides it. */
public abstract class ForwardingLogStore implements LogStore {

    protected final LogStore delegate;

    protected ForwardingLogStore(LogStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Recovered recover() {
        return delegate.recover();
    }

    @Override
    public void commit(long firstIndex, List<byte[]> entries, List<Tile> fullTiles, List<Bundle> fullBundles) {
        delegate.commit(firstIndex, entries, fullTiles, fullBundles);
    }

    @Override
    public void checkpoint(long size, List<Tile> partialTiles, Bundle partialBundle, String signedNote) {
        delegate.checkpoint(size, partialTiles, partialBundle, signedNote);
    }

    @Override
    public Optional<byte[]> readTile(int level, long index, int width) {
        return delegate.readTile(level, index, width);
    }

    @Override
    public Map<TileId, byte[]> readFullTiles(Collection<TileId> ids) {
        return delegate.readFullTiles(ids);
    }

    @Override
    public Optional<List<byte[]>> readBundle(long index, int width) {
        return delegate.readBundle(index, width);
    }

    @Override
    public List<String> checkpoints() {
        return delegate.checkpoints();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
