package cxg.gateway.policy;

/** Disclosure levels, ordered from least to most revealing. */
public enum Disclosure {
    TIER_ONLY, SCORE, FULL;

    public boolean includes(Disclosure other) {
        return compareTo(other) >= 0;
    }
}
