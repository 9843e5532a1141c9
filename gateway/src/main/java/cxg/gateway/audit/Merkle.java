package cxg.gateway.audit;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RFC 6962 Merkle tree hashing, audit paths (RFC 6962 §2.1.1) and consistency proofs
 * (§2.1.2), with the verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
 * Proofs are built from a {@link NodeSource} of complete-subtree hashes, so the same code
 * serves an in-memory list and a tiled store.
 */
public final class Merkle {

    public static final int HASH_SIZE = 32;

    /** Hashes of complete subtrees: the node at {@code level} (leaves are level 0) and {@code index}. */
    @FunctionalInterface
    public interface NodeSource {
        byte[] node(int level, long index);
    }

    /** One digest per thread: MessageDigest.getInstance costs more than hashing a node. */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Merkle::sha256);

    private Merkle() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    public static byte[] leafHash(byte[] entry) {
        MessageDigest d = DIGEST.get();
        d.update((byte) 0x00);
        d.update(entry);
        return d.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        return nodeHash(left, 0, right, 0);
    }

    /** Node hash of the 32-byte hashes at {@code left[lo..]} and {@code right[ro..]}. */
    public static byte[] nodeHash(byte[] left, int lo, byte[] right, int ro) {
        return nodeDigest(left, lo, right, ro).digest();
    }

    /** {@link #nodeHash(byte[], int, byte[], int)} written into {@code out[oo..]} instead of a new array. */
    static void nodeHash(byte[] left, int lo, byte[] right, int ro, byte[] out, int oo) {
        try {
            nodeDigest(left, lo, right, ro).digest(out, oo, HASH_SIZE);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 into a 32-byte slot", e);
        }
    }

    /** This thread's digest, fed with a node's prefix and its two children. */
    private static MessageDigest nodeDigest(byte[] left, int lo, byte[] right, int ro) {
        MessageDigest d = DIGEST.get();
        d.update((byte) 0x01);
        d.update(left, lo, HASH_SIZE);
        d.update(right, ro, HASH_SIZE);
        return d;
    }

    /** The largest power of two strictly smaller than {@code n} (n ≥ 2). */
    static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** MTH(D[lo:hi]) for hi > lo, where every complete subtree it needs is aligned (as in all RFC proofs). */
    public static byte[] subtreeHash(NodeSource src, long lo, long hi) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1 && lo % n == 0) {
            return src.node(Long.numberOfTrailingZeros(n), lo / n);
        }
        long k = splitPoint(n);
        return nodeHash(subtreeHash(src, lo, lo + k), subtreeHash(src, lo + k, hi));
    }

    public static byte[] rootHash(NodeSource src, long size) {
        return size == 0 ? emptyRoot() : subtreeHash(src, 0, size);
    }

    /** PATH(m, D[0:n]) of RFC 6962 §2.1.1, deepest sibling first. */
    public static List<byte[]> inclusionProof(NodeSource src, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
        }
        List<byte[]> out = new ArrayList<>();
        path(src, index, 0, size, out);
        return out;
    }

    private static void path(NodeSource src, long m, long lo, long hi, List<byte[]> out) {
        long n = hi - lo;
        if (n <= 1) {
            return;
        }
        long k = splitPoint(n);
        if (m < lo + k) {
            path(src, m, lo, lo + k, out);
            out.add(subtreeHash(src, lo + k, hi));
        } else {
            path(src, m, lo + k, hi, out);
            out.add(subtreeHash(src, lo, lo + k));
        }
    }

    /** PROOF(m, D[0:n]) of RFC 6962 §2.1.2; empty when m is 0 or m == n. */
    public static List<byte[]> consistencyProof(NodeSource src, long m, long n) {
        if (m < 0 || m > n) {
            throw new IllegalArgumentException("no consistency proof from size " + m + " to size " + n);
        }
        List<byte[]> out = new ArrayList<>();
        if (m > 0 && m < n) {
            subproof(src, m, 0, n, true, out);
        }
        return out;
    }

    private static void subproof(NodeSource src, long m, long lo, long hi, boolean whole, List<byte[]> out) {
        long n = hi - lo;
        if (m == n) {
            if (!whole) {
                out.add(subtreeHash(src, lo, hi));
            }
            return;
        }
        long k = splitPoint(n);
        if (m <= k) {
            subproof(src, m, lo, lo + k, whole, out);
            out.add(subtreeHash(src, lo + k, hi));
        } else {
            subproof(src, m - k, lo + k, hi, false, out);
            out.add(subtreeHash(src, lo, lo + k));
        }
    }

    /** RFC 9162 §2.1.3.2: does {@code proof} show that the leaf hash sits at {@code index} in the tree with {@code root}? */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** RFC 9162 §2.1.4.2: does {@code proof} show that the tree (first, firstRoot) is a prefix of (second, secondRoot)? */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
        if (first < 0 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
        }
        if (first == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.add(0, firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot) && sn == 0;
    }

    /** A node source over leaf hashes held in memory (tests, small exports). */
    public static NodeSource ofLeafHashes(List<byte[]> leafHashes) {
        return (level, index) -> {
            long lo = index << level;
            return rootOfPowerOfTwo(leafHashes, (int) lo, 1 << level);
        };
    }

    private static byte[] rootOfPowerOfTwo(List<byte[]> hashes, int from, int count) {
        if (count == 1) {
            return hashes.get(from);
        }
        int half = count / 2;
        return nodeHash(rootOfPowerOfTwo(hashes, from, half), rootOfPowerOfTwo(hashes, from + half, half));
    }
}
