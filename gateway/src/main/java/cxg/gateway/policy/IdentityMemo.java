package cxg.gateway.policy;

import java.util.function.Function;

/**
 * What was worked out from each of a few recent keys, remembered by the key's identity: a policy set hands out the
 * same {@link Decision} (and the query path the same decision message) again and again, so per-query work that
 * depends only on it is done once per decision instead of once per query.
 *
 * <p>Lock-free: a slot holds one immutable pair, so a reader never sees a half-written one; threads racing on a
 * new key may each compute its value and store equal values. A key that lost its slot is computed again.
 */
public final class IdentityMemo<K, V> {

    private record Slot<K, V>(K key, V value) {
    }

    private final Slot<K, V>[] slots;
    private final Function<K, V> compute;

    /** @param size slots, a power of two */
    @SuppressWarnings("unchecked")
    public IdentityMemo(int size, Function<K, V> compute) {
        if (size < 1 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two: " + size);
        }
        this.slots = (Slot<K, V>[]) new Slot[size];
        this.compute = compute;
    }

    public V get(K key) {
        int i = System.identityHashCode(key) & (slots.length - 1);
        Slot<K, V> slot = slots[i];
        if (slot == null || slot.key() != key) {
            slot = new Slot<>(key, compute.apply(key));
            slots[i] = slot;
        }
        return slot.value();
    }
}
