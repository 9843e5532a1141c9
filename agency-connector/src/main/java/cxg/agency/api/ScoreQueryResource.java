package cxg.agency.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.QueryOutcome;
import cxg.agency.query.QueryInput;
import cxg.agency.report.ReportView;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/score-queries}: the agency's own systems ask for a subject's scores.
 * The body is read as a JSON tree here rather than bound by the framework, so that every
 * malformed body gets the same JSON error naming the field.
 */
@Path("/v1/score-queries")
public class ScoreQueryResource {

    private static final Set<String> FIELDS = Set.of("subject", "subjectKind", "purpose", "categories", "disclosure");

    private final AgencyGateway gateway;
    private final ObjectMapper mapper;

    ScoreQueryResource(AgencyGateway gateway, ObjectMapper mapper) {
        this.gateway = gateway;
        this.mapper = mapper;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response query(String body) {
        JsonBody parsed = JsonBody.read(mapper, body, FIELDS);
        if (!parsed.valid()) {
            return invalid(parsed.field(), parsed.message());
        }
        JsonNode root = parsed.root();
        for (String name : List.of("subject", "subjectKind", "purpose", "disclosure")) {
            JsonNode node = root.get(name);
            if (node != null && !node.isNull() && !node.isTextual()) {
                return invalid(name, "must be a string");
            }
        }
        List<String> categories = new ArrayList<>();
        JsonNode categoryNodes = root.get("categories");
        if (categoryNodes != null && !categoryNodes.isNull()) {
            if (!categoryNodes.isArray()) {
                return invalid("categories", "must be a list of strings");
            }
            for (int i = 0; i < categoryNodes.size(); i++) {
                if (!categoryNodes.get(i).isTextual()) {
                    return invalid("categories[" + i + "]", "must be a string");
                }
                categories.add(categoryNodes.get(i).asText());
            }
        }
        QueryInput.Result input = QueryInput.of(text(root, "subject"), text(root, "subjectKind"), text(root, "purpose"),
                categories, text(root, "disclosure"));
        if (!input.isValid()) {
            return invalid(input.error().field(), input.error().message());
        }
        QueryOutcome outcome = gateway.query(input.input().toProto());
        if (outcome instanceof QueryOutcome.Failed failed) {
            return HttpErrors.of(failed.failure());
        }
        return Response.ok(ReportView.of(((QueryOutcome.Answered) outcome).report()), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Response invalid(String field, String message) {
        return HttpErrors.of(new GatewayFailure(FailureKind.INVALID_ARGUMENT, field, message, null));
    }
}
