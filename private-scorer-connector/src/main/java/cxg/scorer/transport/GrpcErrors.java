package cxg.scorer.transport;

import io.grpc.Status;

/** The one place where the connector's own refusals become gRPC statuses, each naming the field. */
public final class GrpcErrors {

    private GrpcErrors() {
    }

    public static Status forCaller(CallerCheck.Decision decision) {
        return switch (decision.verdict()) {
            case ALLOWED -> Status.OK;
            case NO_TLS, NO_CERTIFICATE -> Status.UNAUTHENTICATED
                    .withDescription("client certificate: required (mutual TLS)");
            case NOT_ALLOWED -> Status.PERMISSION_DENIED
                    .withDescription("client certificate: only the gateway may call the scorer service");
        };
    }

    public static Status invalidArgument(String field, String reason) {
        return Status.INVALID_ARGUMENT.withDescription(field + ": " + reason);
    }
}
