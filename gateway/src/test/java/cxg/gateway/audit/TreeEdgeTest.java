package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The writer's edge against a from-scratch RFC 6962 tree: for any sequence of group commits (some refused by the
 * store, some after a restart from the stored tiles) every published edge gives the reference's roots, inclusion and
 * consistency proofs, partial tiles and bundles, and full tiles and bundles as they complete; and nothing the writer
 * does afterwards changes an edge it published or a tile it handed over.
 */
class TreeEdgeTest {

    /** One group commit: its size, whether the store refuses it, whether the log restarts from the tiles before it. */
    record Group(int size, boolean refused, boolean restart) {
    }

    @Property(tries = 100)
    void everyPublishedEdgeIsTheReferenceTreeAndStaysSo(@ForAll("groups") List<Group> groups, @ForAll long seed) {
        run(groups, seed, 24);
    }

    @Example
    void aLevelOneTileCompletesAndALevelTwoTileStarts() {
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < 66; i++) {
            groups.add(new Group(1000 + i, i == 40, i == 65));
        }
        run(groups, 7, 1);
    }

    @Provide
    Arbitrary<List<Group>> groups() {
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(1, 8)),
                Tuple.of(3, Arbitraries.integers().between(9, 64)),
                Tuple.of(1, Arbitraries.integers().between(200, 600)));
        Arbitrary<Group> group = Combinators.combine(sizes,
                Arbitraries.integers().between(0, 9).map(n -> n == 0),
                Arbitraries.integers().between(0, 14).map(n -> n == 0)).as(Group::new);
        return group.list().ofMinSize(1).ofMaxSize(40);
    }

    /** Applies the groups, checking each published edge against the reference, and every one again at the end. */
    private static void run(List<Group> groups, long seed, int provenEntries) {
        Random random = new Random(seed);
        List<byte[]> entries = new ArrayList<>();
        List<byte[]> leaves = new ArrayList<>();
        Reference reference = new Reference();
        Map<String, byte[]> fullTiles = new HashMap<>();
        Map<String, byte[]> tilesAsHandedOver = new HashMap<>();
        List<byte[][]> refusedTiles = new ArrayList<>();
        List<TreeEdge> published = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        TreeEdge edge = new TreeEdge();
        for (Group g : groups) {
            if (g.restart()) {
                edge = restored(edge);
            }
            TreeEdge.Growth growth = edge.grow();
            List<Tile> tiles = new ArrayList<>();
            List<Bundle> bundles = new ArrayList<>();
            List<byte[]> added = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
                byte[] entry = entry(random, entries.size() + i);
                added.add(entry);
                growth.append(entry, Merkle.leafHash(entry), tiles, bundles);
            }
            if (g.refused()) {
                // AuditLog publishes an equal edge with buffers of its own and drops the growth, whose full tiles the
                // store may still hold
                tiles.forEach(t -> refusedTiles.add(new byte[][] {t.data(), t.data().clone()}));
                edge = edge.copy();
                continue;
            }
            edge = growth.edge();
            long from = entries.size();
            for (byte[] e : added) {
                entries.add(e);
                leaves.add(Merkle.leafHash(e));
                reference.add(leaves.get(leaves.size() - 1));
            }
            checkCompleted(tiles, bundles, from, entries, reference, fullTiles, tilesAsHandedOver);
            checkEdge(edge, entries, leaves, reference, fullTiles, random, provenEntries);
            published.add(edge);
            fingerprints.add(fingerprint(edge, fullTiles));
        }
        for (int i = 0; i < published.size(); i++) {
            // compared without printing both: they hold every node and entry of the edge
            assertTrue(fingerprints.get(i).equals(fingerprint(published.get(i), fullTiles)),
                    "the edge of size " + published.get(i).size() + " changed after it was published");
        }
        tilesAsHandedOver.forEach((path, copy) -> assertArrayEquals(copy, fullTiles.get(path), path + " changed after it was handed over"));
        refusedTiles.forEach(t -> assertArrayEquals(t[1], t[0], "a refused group's full tile changed after it was handed over"));
    }

    private static byte[] entry(Random random, int index) {
        byte[] tail = new byte[random.nextInt(40)];
        random.nextBytes(tail);
        byte[] head = ("entry " + index + " ").getBytes(StandardCharsets.UTF_8);
        byte[] e = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, e, head.length, tail.length);
        return e;
    }

    /** The edge start-up rebuilds from the partial tiles and bundle a checkpoint stores. */
    private static TreeEdge restored(TreeEdge edge) {
        long size = edge.size();
        List<byte[]> partials = new ArrayList<>();
        for (int level = 0; level < Tiles.levels(size); level++) {
            partials.add(new byte[0]);
        }
        for (Tile t : edge.partialTiles()) {
            partials.set(t.level(), t.data());
        }
        Bundle bundle = edge.partialBundle();
        return TreeEdge.restore(size, partials, bundle == null ? List.of() : bundle.entries());
    }

    private static void checkCompleted(List<Tile> tiles, List<Bundle> bundles, long from, List<byte[]> entries,
                                       Reference leaves, Map<String, byte[]> fullTiles, Map<String, byte[]> handedOver) {
        long size = entries.size();
        List<String> expectedTiles = new ArrayList<>();
        for (int level = 0; level < Tiles.levels(size); level++) {
            for (long index = Tiles.partialIndex(level, from); index < Tiles.partialIndex(level, size); index++) {
                expectedTiles.add(Tiles.tilePath(level, index, Tiles.WIDTH));
            }
        }
        assertEquals(expectedTiles.stream().sorted().toList(), tiles.stream().map(Tile::path).sorted().toList(),
                "full tiles completed by the group");
        for (Tile t : tiles) {
            assertArrayEquals(referenceTile(leaves, t.level(), t.index(), Tiles.WIDTH), t.data(), t.path());
            fullTiles.put(t.path(), t.data());
            handedOver.put(t.path(), t.data().clone());
        }
        assertEquals(Tiles.partialIndex(0, size) - Tiles.partialIndex(0, from), bundles.size(), "full bundles completed by the group");
        for (Bundle b : bundles) {
            assertEquals(Tiles.WIDTH, b.width());
            MerkleTest.assertSameHashes(entries.subList((int) b.index() * Tiles.WIDTH, (int) (b.index() + 1) * Tiles.WIDTH), b.entries(), b.path());
        }
    }

    private static void checkEdge(TreeEdge edge, List<byte[]> entries, List<byte[]> leaves, Reference reference,
                                  Map<String, byte[]> fullTiles, Random random, int provenEntries) {
        long size = edge.size();
        assertEquals(entries.size(), size);
        Merkle.NodeSource src = nodes(edge, fullTiles);
        assertArrayEquals(MerkleTest.mth(leaves), Merkle.rootHash(src, size), "root of " + size);
        List<Tile> partials = edge.partialTiles();
        int n = 0;
        for (int level = 0; level < Tiles.levels(size); level++) {
            int width = Tiles.partialWidth(level, size);
            if (width > 0) {
                Tile t = partials.get(n++);
                assertEquals(Tiles.tilePath(level, Tiles.partialIndex(level, size), width), t.path());
                assertArrayEquals(referenceTile(reference, level, Tiles.partialIndex(level, size), width), t.data(), t.path());
            }
        }
        assertEquals(n, partials.size(), "partial tiles of " + size);
        int bundleWidth = Tiles.partialWidth(0, size);
        List<byte[]> tail = entries.subList(entries.size() - bundleWidth, entries.size());
        MerkleTest.assertSameHashes(tail, edge.bundleEntries(), "bundle entries of " + size);
        if (bundleWidth == 0) {
            assertNull(edge.partialBundle());
        } else {
            assertEquals(Tiles.bundlePath(Tiles.partialIndex(0, size), bundleWidth), edge.partialBundle().path());
            MerkleTest.assertSameHashes(tail, edge.partialBundle().entries(), "partial bundle of " + size);
        }
        for (int k = 0; k < provenEntries; k++) {
            long m = k == 0 ? size - 1 : random.nextLong(size);
            MerkleTest.assertSameHashes(Merkle.inclusionProof(reference, m, size), Merkle.inclusionProof(src, m, size),
                    "inclusion of " + m + " in " + size);
            long first = k == 0 ? size - 1 : 1 + random.nextLong(size);
            MerkleTest.assertSameHashes(Merkle.consistencyProof(reference, first, size), Merkle.consistencyProof(src, first, size),
                    "consistency of " + first + " with " + size);
        }
    }

    /** As AuditLog reads a tree: the edge's partial tiles, and full tiles as the store holds them. */
    private static Merkle.NodeSource nodes(TreeEdge edge, Map<String, byte[]> fullTiles) {
        return (level, index) -> {
            Tiles.NodeAt node = Tiles.NodeAt.of(level, index);
            if (node.tileIndex() == Tiles.partialIndex(node.tileLevel(), edge.size())) {
                return edge.partialNode(node.tileLevel(), node.height(), node.position());
            }
            byte[] tile = fullTiles.get(Tiles.tilePath(node.tileLevel(), node.tileIndex(), Tiles.WIDTH));
            int offset = node.position() << node.height();
            List<byte[]> hashes = new ArrayList<>();
            for (int i = offset; i < offset + (1 << node.height()); i++) {
                hashes.add(Tiles.slice(tile, i));
            }
            return MerkleTest.mth(hashes);
        };
    }

    /** Hashes {@code [index * 256, index * 256 + width)} of tile level {@code level}, from scratch. */
    private static byte[] referenceTile(Reference reference, int level, long index, int width) {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            hashes.add(reference.node(Tiles.HEIGHT * level, index * Tiles.WIDTH + i));
        }
        return Tiles.concat(hashes);
    }

    /** Every complete subtree's hash, level by level, as the leaves arrive: RFC 6962's MTH of each aligned power of two. */
    private static final class Reference implements Merkle.NodeSource {
        private final List<List<byte[]>> levels = new ArrayList<>();

        void add(byte[] leaf) {
            byte[] node = leaf;
            for (int level = 0; node != null; level++) {
                if (levels.size() == level) {
                    levels.add(new ArrayList<>());
                }
                List<byte[]> row = levels.get(level);
                row.add(node);
                node = row.size() % 2 == 0 ? Merkle.nodeHash(row.get(row.size() - 2), row.get(row.size() - 1)) : null;
            }
        }

        @Override
        public byte[] node(int level, long index) {
            return levels.get(level).get((int) index);
        }
    }

    /** Everything a reader can see of an edge: root, every complete partial node, partial tiles, bundle. */
    private static String fingerprint(TreeEdge edge, Map<String, byte[]> fullTiles) {
        StringBuilder sb = new StringBuilder();
        HexFormat hex = HexFormat.of();
        sb.append(edge.size()).append(' ').append(hex.formatHex(Merkle.rootHash(nodes(edge, fullTiles), edge.size())));
        for (int level = 0; level < Tiles.levels(edge.size()); level++) {
            int width = Tiles.partialWidth(level, edge.size());
            for (int height = 0; height < Tiles.HEIGHT; height++) {
                for (int i = 0; i < width >> height; i++) {
                    sb.append(' ').append(hex.formatHex(edge.partialNode(level, height, i)));
                }
            }
        }
        for (Tile t : edge.partialTiles()) {
            sb.append(' ').append(t.path()).append(hex.formatHex(t.data()));
        }
        for (byte[] e : edge.bundleEntries()) {
            sb.append(' ').append(hex.formatHex(e));
        }
        return sb.toString();
    }
}
