package cxg.agency.gateway;

/** Why a query got no report, in the terms the REST API and the command line report it. */
public enum FailureKind {
    /** The request was malformed; the failure names the field. */
    INVALID_ARGUMENT,
    /** The gateway did not accept our identity (unknown member, refused certificate). */
    UNAUTHENTICATED,
    /** Policy refused the request; the failure names the rule when the gateway gave one. */
    PERMISSION_DENIED,
    /** A quota was exhausted. */
    RESOURCE_EXHAUSTED,
    /** The gateway could not be reached. */
    UNAVAILABLE,
    /** The gateway did not answer within the deadline. */
    DEADLINE_EXCEEDED,
    /** The connector has no usable certificate for the member it acts as. */
    CREDENTIALS,
    /** Anything else. */
    INTERNAL
}
