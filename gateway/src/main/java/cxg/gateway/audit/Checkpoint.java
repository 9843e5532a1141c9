package cxg.gateway.audit;

import java.util.Base64;

/** The body of a C2SP tlog-checkpoint: origin, tree size and RFC 6962 root hash. */
public record Checkpoint(String origin, long size, byte[] rootHash) {

    public String text() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
    }

    /** Parses a note text (not its signatures); extension lines are ignored. */
    public static Checkpoint parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length < 4 || lines[0].isEmpty()) {
            throw new IllegalArgumentException("checkpoint needs origin, size and root hash lines");
        }
        if (!lines[1].matches("0|[1-9][0-9]*")) {
            throw new IllegalArgumentException("checkpoint tree size is not a decimal number");
        }
        byte[] root = Base64.getDecoder().decode(lines[2]);
        if (root.length != Merkle.HASH_SIZE) {
            throw new IllegalArgumentException("checkpoint root hash is not 32 bytes");
        }
        return new Checkpoint(lines[0], Long.parseLong(lines[1]), root);
    }
}
