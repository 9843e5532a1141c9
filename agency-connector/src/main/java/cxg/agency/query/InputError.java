package cxg.agency.query;

/** A rejected piece of caller input: the field it concerns and what is wrong with it. */
public record InputError(String field, String message) {
}
