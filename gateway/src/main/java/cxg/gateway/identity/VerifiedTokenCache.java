package cxg.gateway.identity;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Per thread: the digest, a buffer the token's characters are hashed from, and the digest's output. */
    private static final class Hashing {
        final MessageDigest sha256;
        final byte[] chunk = new byte[2048];
        final byte[] out = new byte[32];

        Hashing() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no SHA-256 in this JVM", e);
            }
        }
    }

    private static final ThreadLocal<Hashing> HASHING = ThreadLocal.withInitial(Hashing::new);

    private final int capacity;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    /** @param capacity most tokens kept; 0 turns caching off */
    VerifiedTokenCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity < 0");
        }
        this.capacity = capacity;
    }

    /**
     * The key of the token {@code text[from, to)}, hashed straight from the characters (every call's token
     * arrives inside its authorization header; no copy of it is made): the bytes hashed are those of
     * {@code String.getBytes(US_ASCII)}, one byte per character, anything outside ASCII as {@code '?'}.
     */
    static Key keyOf(String text, int from, int to) {
        Hashing h = HASHING.get();
        MessageDigest sha256 = h.sha256;
        byte[] chunk = h.chunk;
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            chunk[n++] = c < 0x80 ? (byte) c : (byte) '?';
            if (n == chunk.length) {
                sha256.update(chunk, 0, n);
                n = 0;
            }
        }
        sha256.update(chunk, 0, n);
        byte[] d = h.out;
        try {
            sha256.digest(d, 0, d.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 into a 32-byte buffer failed", e);
        }
        return new Key(longAt(d, 0), longAt(d, 8), longAt(d, 16), longAt(d, 24));
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
