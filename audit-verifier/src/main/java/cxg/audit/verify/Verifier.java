package cxg.audit.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The checks, in order: signature, consistency with the last trusted checkpoint, entries, root. */
final class Verifier {

    /** A failed check: {@code check} names it (e.g. "entry 17"), {@code detail} says what is wrong. */
    static final class Failed extends Exception {
        Failed(String check, String detail) {
            super(check + ": " + detail);
        }
    }

    record Outcome(SignedCheckpoint checkpoint, long entriesChecked, String consistency) {
    }

    private static final int TILE_WIDTH = 256;

    private Verifier() {
    }

    /** Recomputes the whole tree from the entry bundles and checks it against the tiles and the signed root. */
    static Outcome verifyTiles(TileSource src, SignedCheckpoint cp, Optional<SignedCheckpoint> trusted) throws Failed, IOException {
        long n = cp.size();
        if (trusted.isPresent() && trusted.get().size() > n) {
            throw new Failed("consistency", "checkpoint of size " + n + " is older than the last trusted checkpoint of size "
                    + trusted.get().size() + " (the log was truncated or rolled back)");
        }
        List<byte[]> leaves = new ArrayList<>();
        for (long tile = 0; tile * TILE_WIDTH < n; tile++) {
            int width = (int) Math.min(TILE_WIDTH, n - tile * TILE_WIDTH);
            List<byte[]> entries = decodeBundle(fetch(src, "tile/entries/" + encode(tile), width, -1), tile);
            if (entries.size() < width) {
                throw new Failed("entry " + (tile * TILE_WIDTH + entries.size()),
                        "missing: bundle " + src.describe(path("tile/entries/", tile, width)) + " holds only " + entries.size() + " of " + width + " entries");
            }
            byte[] hashes = fetch(src, "tile/0/" + encode(tile), width, 32);
            for (int i = 0; i < width; i++) {
                byte[] leaf = Rfc6962.leaf(entries.get(i));
                if (!Arrays.equals(leaf, Arrays.copyOfRange(hashes, i * 32, i * 32 + 32))) {
                    throw new Failed("entry " + (tile * TILE_WIDTH + i),
                            "its hash differs from the one in level-0 tile " + src.describe(path("tile/0/", tile, width)));
                }
                leaves.add(leaf);
            }
        }
        String consistency = "no earlier checkpoint trusted";
        if (trusted.isPresent()) {
            long m = trusted.get().size();
            if (!Arrays.equals(Rfc6962.root(leaves.subList(0, (int) m)), trusted.get().root())) {
                throw new Failed("consistency", "the first " + m + " entries no longer hash to the root of the last trusted checkpoint");
            }
            consistency = "consistent with the trusted checkpoint of size " + m;
        }
        if (!Arrays.equals(Rfc6962.root(leaves), cp.root())) {
            throw new Failed("root", "the root recomputed from " + n + " entries differs from the signed checkpoint's root");
        }
        return new Outcome(cp, n, consistency);
    }

    private static String path(String prefix, long tile, int width) {
        return prefix + encode(tile) + (width == TILE_WIDTH ? "" : ".p/" + width);
    }

    /** A tile or bundle of {@code width}: the partial resource, else the full one (the log may have dropped the partial). */
    private static byte[] fetch(TileSource src, String base, int width, int hashSize) throws Failed, IOException {
        Optional<byte[]> data = width == TILE_WIDTH ? src.get(base) : src.get(base + ".p/" + width).or(() -> {
            try {
                return src.get(base);
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        if (data.isEmpty()) {
            throw new Failed("tiles", src.describe(base + (width == TILE_WIDTH ? "" : ".p/" + width)) + " is missing");
        }
        byte[] d = data.get();
        if (hashSize > 0) {
            if (d.length < width * hashSize) {
                throw new Failed("tiles", src.describe(base) + " is shorter than " + width + " hashes");
            }
            return Arrays.copyOf(d, width * hashSize);
        }
        return d;
    }

    private static List<byte[]> decodeBundle(byte[] b, long tile) throws Failed {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (p < b.length) {
            if (p + 2 > b.length) {
                throw new Failed("entry " + (tile * TILE_WIDTH + out.size()), "truncated length prefix in its bundle");
            }
            int len = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
            p += 2;
            if (p + len > b.length) {
                throw new Failed("entry " + (tile * TILE_WIDTH + out.size()), "truncated in its bundle");
            }
            out.add(Arrays.copyOfRange(b, p, p + len));
            p += len;
        }
        return out;
    }

    static String encode(long index) {
        StringBuilder sb = new StringBuilder(String.format("%03d", index % 1000));
        for (long n = index / 1000; n > 0; n /= 1000) {
            sb.insert(0, String.format("x%03d/", n % 1000));
        }
        return sb.toString();
    }

    /**
     * Checks an export file: its checkpoint, consistency with the trusted checkpoint, and every entry's inclusion. A
     * malformed export is an {@link IllegalArgumentException} whose message names the field.
     */
    static Outcome verifyExport(Map<String, Object> export, String key, Optional<SignedCheckpoint> trusted)
            throws Failed, SignedCheckpoint.Invalid {
        if (!"cxg-audit-export/v1".equals(export.get("format"))) {
            throw new IllegalArgumentException("export: format is not cxg-audit-export/v1");
        }
        SignedCheckpoint cp = SignedCheckpoint.verify(string(export, "checkpoint", "export"), key);
        long n = cp.size();
        String consistency = "no earlier checkpoint trusted";
        if (trusted.isPresent()) {
            SignedCheckpoint t = trusted.get();
            long m = t.size();
            if (m == n) {
                if (!Arrays.equals(t.root(), cp.root())) {
                    throw new Failed("consistency", "checkpoint of size " + n + " has a different root than the trusted one of the same size");
                }
            } else {
                long from = Math.min(m, n);
                long to = Math.max(m, n);
                List<byte[]> proof = findProof(export, from, to)
                        .orElseThrow(() -> new Failed("consistency", "the export has no consistency proof between the trusted size "
                                + m + " and its size " + n));
                byte[] fromRoot = m < n ? t.root() : cp.root();
                byte[] toRoot = m < n ? cp.root() : t.root();
                if (!Rfc6962.verifyConsistency(from, to, fromRoot, toRoot, proof)) {
                    throw new Failed("consistency", "the proof from size " + from + " to size " + to + " does not verify");
                }
            }
            consistency = "consistent with the trusted checkpoint of size " + m;
        }
        List<Object> entries = list(export.getOrDefault("entries", List.of()), "export: 'entries'");
        long previous = -1;
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, Object> e = object(entries.get(i), "export: entries[" + i + "]");
            if (!(e.get("index") instanceof Long boxed)) {
                throw new IllegalArgumentException("export: entries[" + i + "]: 'index' is missing or not an integer");
            }
            long index = boxed;
            String where = "export: entry " + index;
            if (index <= previous) {
                throw new Failed("entry " + index, "out of order or repeated in the export (after entry " + previous + ")");
            }
            if (index >= n) {
                throw new Failed("entry " + index, "beyond the checkpoint's tree size " + n);
            }
            byte[] leaf = Rfc6962.leaf(base64(string(e, "data", where), where + ": 'data'"));
            List<byte[]> proof = hashes(e.get("proof"), where);
            if (!Rfc6962.verifyInclusion(index, n, leaf, proof, cp.root())) {
                throw new Failed("entry " + index, "its inclusion proof does not lead to the checkpoint's root");
            }
            leaves.add(leaf);
            previous = index;
        }
        if (leaves.size() == n && !Arrays.equals(Rfc6962.root(leaves), cp.root())) {
            throw new Failed("root", "the root recomputed from all " + n + " entries differs from the signed checkpoint's root");
        }
        return new Outcome(cp, entries.size(), consistency);
    }

    private static Optional<List<byte[]>> findProof(Map<String, Object> export, long from, long to) {
        List<Object> proofs = list(export.getOrDefault("consistency", List.of()), "export: 'consistency'");
        for (int i = 0; i < proofs.size(); i++) {
            Map<String, Object> c = object(proofs.get(i), "export: consistency[" + i + "]");
            if (Long.valueOf(from).equals(c.get("from")) && Long.valueOf(to).equals(c.get("to"))) {
                return Optional.of(hashes(c.get("proof"), "export: consistency proof " + from + " to " + to));
            }
        }
        return Optional.empty();
    }

    /** A proof's hashes: a JSON array of base64 strings of 32 bytes each; {@code where} names its place in the export. */
    private static List<byte[]> hashes(Object proof, String where) {
        List<Object> items = list(proof, where + ": 'proof'");
        List<byte[]> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String what = where + ": 'proof' hash " + i;
            if (!(items.get(i) instanceof String s)) {
                throw new IllegalArgumentException(what + " is not a string");
            }
            byte[] hash = base64(s, what);
            if (hash.length != 32) {
                throw new IllegalArgumentException(what + " is not a 32-byte hash");
            }
            out.add(hash);
        }
        return out;
    }

    private static byte[] base64(String value, String what) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " is missing or not an array");
        }
        return (List<Object>) l;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " is not an object");
        }
        return (Map<String, Object>) m;
    }

    private static String string(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing or not a string");
        }
        return s;
    }
}
