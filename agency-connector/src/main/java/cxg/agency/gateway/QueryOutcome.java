package cxg.agency.gateway;

import cxg.v1.ScoreReport;

/** What a query to the gateway returned: a report, or why there is none. */
public sealed interface QueryOutcome {

    record Answered(ScoreReport report) implements QueryOutcome {
    }

    record Failed(GatewayFailure failure) implements QueryOutcome {
    }
}
