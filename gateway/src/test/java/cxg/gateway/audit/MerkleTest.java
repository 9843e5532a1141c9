package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTest {

    private static final HexFormat HEX = HexFormat.of();

    // The leaf inputs and roots of the RFC 6962 reference tree used across Certificate Transparency
    // implementations (transparency-dev/merkle testonly/constants.go).
    private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243",
        "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
    private static final String[] ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    @Test
    void rootsMatchTheRfc6962ReferenceTreeForZeroToEightLeaves() {
        List<byte[]> hashes = new ArrayList<>();
        for (String leaf : LEAVES) {
            hashes.add(Merkle.leafHash(HEX.parseHex(leaf)));
        }
        for (int n = 0; n <= 8; n++) {
            byte[] root = Merkle.rootHash(Merkle.ofLeafHashes(hashes), n);
            assertEquals(ROOTS[n], HEX.formatHex(root), "root of size " + n);
        }
    }

    /** MTH straight from RFC 6962 §2.1, over a list: the brute-force reference. */
    static byte[] mth(List<byte[]> d) {
        if (d.isEmpty()) {
            return Merkle.emptyRoot();
        }
        if (d.size() == 1) {
            return d.get(0);
        }
        int k = Integer.highestOneBit(d.size() - 1);
        return Merkle.nodeHash(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
    }

    static List<byte[]> path(int m, List<byte[]> d) {
        List<byte[]> out = new ArrayList<>();
        if (d.size() <= 1) {
            return out;
        }
        int k = Integer.highestOneBit(d.size() - 1);
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
        List<byte[]> out = new ArrayList<>();
        int n = d.size();
        if (m == n) {
            if (!b) {
                out.add(mth(d));
            }
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, d.subList(k, n), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<byte[]> leafHashes(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Merkle.leafHash(("entry-" + i).getBytes()));
        }
        return out;
    }

    static void assertSameHashes(List<byte[]> expected, List<byte[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": length");
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(Arrays.equals(expected.get(i), actual.get(i)), what + ": element " + i);
        }
    }

    @Test
    void inclusionProofsMatchBruteForceAndVerifyForEverySizeUpTo64() {
        List<byte[]> all = leafHashes(64);
        Merkle.NodeSource src = Merkle.ofLeafHashes(all);
        for (int n = 1; n <= 64; n++) {
            List<byte[]> d = all.subList(0, n);
            byte[] root = mth(d);
            assertTrue(Arrays.equals(root, Merkle.rootHash(src, n)), "root of " + n);
            for (int m = 0; m < n; m++) {
                List<byte[]> proof = Merkle.inclusionProof(src, m, n);
                assertSameHashes(path(m, d), proof, "PATH(" + m + ", " + n + ")");
                assertTrue(Merkle.verifyInclusion(m, n, d.get(m), proof, root), "verify " + m + " in " + n);
                int other = (m + 1) % n;
                if (other != m) {
                    assertFalse(Merkle.verifyInclusion(other, n, d.get(m), proof, root), "wrong index accepted");
                }
                assertFalse(Merkle.verifyInclusion(m, n, Merkle.leafHash(new byte[] {9}), proof, root), "wrong leaf accepted");
            }
        }
    }

    @Test
    void consistencyProofsMatchBruteForceAndVerifyForEverySizeUpTo64() {
        List<byte[]> all = leafHashes(64);
        Merkle.NodeSource src = Merkle.ofLeafHashes(all);
        for (int n = 1; n <= 64; n++) {
            byte[] second = mth(all.subList(0, n));
            for (int m = 1; m <= n; m++) {
                byte[] first = mth(all.subList(0, m));
                List<byte[]> proof = Merkle.consistencyProof(src, m, n);
                assertSameHashes(m == n ? List.of() : subproof(m, all.subList(0, n), true), proof, "PROOF(" + m + ", " + n + ")");
                assertTrue(Merkle.verifyConsistency(m, n, first, second, proof), "verify " + m + " -> " + n);
                if (m < n) {
                    byte[] forged = mth(leafHashes(m + 1).subList(1, m + 1));
                    assertFalse(Merkle.verifyConsistency(m, n, forged, second, proof), "forged first root accepted " + m + " -> " + n);
                    assertFalse(Merkle.verifyConsistency(m, n, first, forged, proof), "forged second root accepted " + m + " -> " + n);
                }
            }
        }
    }

    @Test
    void consistencyProofOfTheReferenceTreeMatchesThePublishedVector() {
        // The published consistency proof from size 6 to size 8 of the reference tree.
        List<byte[]> hashes = new ArrayList<>();
        for (String leaf : LEAVES) {
            hashes.add(Merkle.leafHash(HEX.parseHex(leaf)));
        }
        List<byte[]> proof = Merkle.consistencyProof(Merkle.ofLeafHashes(hashes), 6, 8);
        assertEquals(List.of("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                proof.stream().map(HEX::formatHex).toList());
    }
}
