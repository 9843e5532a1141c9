package cxg.gateway.policy;

import java.util.List;

import com.google.protobuf.ByteString;
import cxg.v1.ScoreScale;

/**
 * A platform's score scale from {@code scales.yaml}: its range, mapped linearly onto the
 * common 0-1000 band, and its tiers best first, each covering [from, to) of the platform's
 * own value (the best tier also includes max).
 */
public record ScoreScaleDef(String id, double min, double max, List<Tier> tiers) {

    public record Tier(String label, double from, double to) {}

    public ScoreScaleDef {
        tiers = List.copyOf(tiers);
    }

    /** The value on the common 0-1000 band, clamped to it. */
    public int normalize(double value) {
        double n = (value - min) * 1000.0 / (max - min);
        return (int) Math.round(Math.max(0, Math.min(1000, n)));
    }

    /** The tier label of {@code value}, or null when the value lies outside the scale. */
    public String tierOf(double value) {
        for (int i = 0; i < tiers.size(); i++) {
            Tier t = tiers.get(i);
            if (value >= t.from() && (value < t.to() || (i == 0 && value == t.to()))) {
                return t.label();
            }
        }
        return null;
    }

    /**
     * The scale as it travels in a {@code ReportedScore}, its strings set as UTF-8 bytes: the message is built once per
     * policy set and goes into every report, and protobuf writes a string set from bytes by copying them instead of
     * encoding it again each time.
     */
    public ScoreScale proto() {
        ScoreScale.Builder b = ScoreScale.newBuilder().setIdBytes(ByteString.copyFromUtf8(id)).setMin(min).setMax(max);
        tiers.forEach(t -> b.addTiersBytes(ByteString.copyFromUtf8(t.label())));
        return b.build();
    }
}
