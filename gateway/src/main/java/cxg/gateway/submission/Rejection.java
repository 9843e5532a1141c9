package cxg.gateway.submission;

/** Why one item was refused: the offending field's path (e.g. {@code rating.value}) and a reason a person can act on. */
public record Rejection(String field, String reason) {
}
