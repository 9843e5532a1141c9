package cxg.agency.gateway;

import cxg.v1.RestrictionAnswer;

/** What a restriction check returned: an answer, or why there is none. */
public sealed interface RestrictionOutcome {

    record Answered(RestrictionAnswer answer) implements RestrictionOutcome {
    }

    record Failed(GatewayFailure failure) implements RestrictionOutcome {
    }
}
