package cxg.gateway.audit;

import java.util.List;

/** An entry bundle: up to 256 consecutive entries starting at {@code index * 256}. */
public record Bundle(long index, List<byte[]> entries) {

    public Bundle {
        entries = List.copyOf(entries);
    }

    public int width() {
        return entries.size();
    }

    public String path() {
        return Tiles.bundlePath(index, width());
    }

    public byte[] encode() {
        return Tiles.encodeBundle(entries);
    }
}
