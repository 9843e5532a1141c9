package cxg.gateway.identity;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Tokens whose signature, issuer, audience and lifetime have been verified, so that the next call
 * carrying the same token only redoes the per-call checks (certificate binding, member, role).
 *
 * <p>Keyed by the SHA-256 of the token: the map never holds a usable bearer token, and a hit skips the
 * signature check, so the key must be collision resistant (a weak hash would let a forged token pass as
 * a cached one). An entry lives until its token expires. The size is bounded: when full, expired
 * entries are dropped, and if that frees nothing the whole cache is dropped (only valid tokens from the
 * realm get in, so this is rare and costs one full verification per token).
 */
final class VerifiedTokenCache {

    /** A token that passed the token-only checks, and what the per-call checks need from it. */
    static final class Entry {
        final String kid;
        final PublicKey key;
        /** Expiry plus the tolerated clock difference: from then on the token is refused. */
        final Instant refuseFrom;
        final String boundThumbprint;
        final String client;
        final VerifiedToken token;
        /** The last certificate found to match {@link #boundThumbprint}: the same object needs no hashing. */
        volatile X509Certificate confirmedPeer;

        Entry(String kid, PublicKey key, Instant refuseFrom, String boundThumbprint, String client, VerifiedToken token) {
            this.kid = kid;
            this.key = key;
            this.refuseFrom = refuseFrom;
            this.boundThumbprint = boundThumbprint;
            this.client = client;
            this.token = token;
        }
    }

    /** 256 bits of SHA-256 over the token. */
    record Key(long a, long b, long c, long d) {
    }

    /**
     * The last token a connection's certificate sent, with its key and entry: a connection sends the same token on
     * every call, so a repeat is found by comparing bytes instead of hashing them. It holds the token's bytes, which
     * the connection's header table (HPACK) holds anyway while the connection is open.
     */
    record Recent(X509Certificate peer, byte[] token, Key key, Entry entry) {
    }

    /** Per thread: the digest and its output. */
    private static final class Hashing {
        final MessageDigest sha256;
        final byte[] out = new byte[32];

        Hashing() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no SHA-256 in this JVM", e);
            }
        }
    }

    /** Slots of {@link #recent}, a power of two. */
    private static final int RECENT_SLOTS = 16;

    private static final ThreadLocal<Hashing> HASHING = ThreadLocal.withInitial(Hashing::new);

    private final int capacity;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    /** Recent tokens by their certificate's identity (see {@link Recent}); a slot lost to another connection is refilled. */
    private final AtomicReferenceArray<Recent> recent = new AtomicReferenceArray<>(RECENT_SLOTS);

    /** @param capacity most tokens kept; 0 turns caching off */
    VerifiedTokenCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity < 0");
        }
        this.capacity = capacity;
    }

    /** The key of the token {@code token[from, to)}: its SHA-256. */
    static Key keyOf(byte[] token, int from, int to) {
        Hashing h = HASHING.get();
        MessageDigest sha256 = h.sha256;
        sha256.update(token, from, to - from);
        byte[] d = h.out;
        try {
            sha256.digest(d, 0, d.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 into a 32-byte buffer failed", e);
        }
        return new Key(longAt(d, 0), longAt(d, 8), longAt(d, 16), longAt(d, 24));
    }

    /**
     * The entry of the token {@code token[from, to)} if a recent call with the same client certificate (the same
     * object: one per connection) carried exactly these bytes and the cache still holds what it verified: no hashing.
     */
    Recent recent(X509Certificate peer, byte[] token, int from, int to) {
        Recent r = recent.get(slotOf(peer));
        if (r == null || r.peer != peer || !Arrays.equals(r.token, 0, r.token.length, token, from, to)
                || entries.get(r.key) != r.entry) {
            return null;
        }
        return r;
    }

    /** Remembers that {@code peer} sent {@code token[from, to)}, whose key and entry are given. */
    void rememberRecent(X509Certificate peer, byte[] token, int from, int to, Key key, Entry entry) {
        if (capacity != 0) {
            recent.set(slotOf(peer), new Recent(peer, Arrays.copyOfRange(token, from, to), key, entry));
        }
    }

    private int slotOf(X509Certificate peer) {
        return System.identityHashCode(peer) & (recent.length() - 1);
    }

    private static long longAt(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[i + k] & 0xFFL);
        }
        return v;
    }

    Entry get(Key key) {
        return capacity == 0 ? null : entries.get(key);
    }

    void put(Key key, Entry entry, Instant now) {
        if (capacity == 0) {
            return;
        }
        if (entries.size() >= capacity) {
            entries.values().removeIf(e -> !now.isBefore(e.refuseFrom));
            if (entries.size() >= capacity) {
                entries.clear();
            }
        }
        entries.put(key, entry);
    }

    void remove(Key key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }
}
