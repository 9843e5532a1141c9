package cxg.agency.api;

import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.report.ErrorView;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where failures become HTTP responses: a status and a JSON error body, never a stack trace. */
public final class HttpErrors {

    private static final Logger LOG = Logger.getLogger(HttpErrors.class);

    static Response of(GatewayFailure failure) {
        return json(status(failure.kind()),
                new ErrorView(failure.kind().name(), failure.field(), failure.message(), failure.rule()));
    }

    static int status(FailureKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> 400;
            case UNAUTHENTICATED, PERMISSION_DENIED -> 403;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            case CREDENTIALS, INTERNAL -> 500;
        };
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String error = status.getReasonPhrase().toUpperCase(Locale.ROOT).replace(' ', '_');
        return json(status.getStatusCode(), new ErrorView(error, null, status.getReasonPhrase(), null));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("request failed unexpectedly", e);
        return json(500, new ErrorView(FailureKind.INTERNAL.name(), null, "internal error", null));
    }

    private static Response json(int status, ErrorView body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
