package cxg.agency.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.RestrictionOutcome;
import cxg.agency.query.QueryInput;
import cxg.agency.report.RestrictionView;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/restriction-checks}: is this subject under a restriction? Body
 * {@code {"subject": "...", "subjectKind": "...", "purpose": "travel-restriction-check"}}; the answer
 * is yes/no with each measure and its dates only.
 */
@Path("/v1/restriction-checks")
public class RestrictionCheckResource {

    private static final Set<String> FIELDS = Set.of("subject", "subjectKind", "purpose");

    private final AgencyGateway gateway;
    private final ObjectMapper mapper;

    RestrictionCheckResource(AgencyGateway gateway, ObjectMapper mapper) {
        this.gateway = gateway;
        this.mapper = mapper;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response check(String body) {
        JsonBody parsed = JsonBody.read(mapper, body, FIELDS);
        if (!parsed.valid()) {
            return invalid(parsed.field(), parsed.message());
        }
        JsonNode root = parsed.root();
        for (String name : List.of("subject", "subjectKind", "purpose")) {
            JsonNode node = root.get(name);
            if (node != null && !node.isNull() && !node.isTextual()) {
                return invalid(name, "must be a string");
            }
        }
        QueryInput.Result input = QueryInput.of(text(root, "subject"), text(root, "subjectKind"), text(root, "purpose"), null, null);
        if (!input.isValid()) {
            return invalid(input.error().field(), input.error().message());
        }
        ScoreQuery q = input.input().toProto();
        RestrictionOutcome outcome = gateway.checkRestriction(RestrictionCheck.newBuilder()
                .setSubject(q.getSubject()).setPurpose(q.getPurpose()).build());
        if (outcome instanceof RestrictionOutcome.Failed failed) {
            return HttpErrors.of(failed.failure());
        }
        return Response.ok(RestrictionView.of(((RestrictionOutcome.Answered) outcome).answer()), MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Response invalid(String field, String message) {
        return HttpErrors.of(new GatewayFailure(FailureKind.INVALID_ARGUMENT, field, message, null));
    }
}
