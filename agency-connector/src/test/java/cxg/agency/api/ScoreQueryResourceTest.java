package cxg.agency.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cxg.agency.FakeGateway;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The local REST API against a stand-in gateway over real mutual TLS. */
@QuarkusTest
@WithTestResource(FakeGatewayResource.class)
class ScoreQueryResourceTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/score-queries")
    URI queries;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    record Reply(int status, JsonNode body) {
    }

    private Reply post(String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(queries)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                response.headers().toString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()));
    }

    @Test
    void answersWithTheReportAsJson() throws Exception {
        Reply reply = post("""
                {"subject":"%s","purpose":"court-enforcement","categories":["FINANCIAL"],"disclosure":"SCORE"}
                """.formatted(FakeGateway.SUBJECT));

        assertEquals(200, reply.status(), reply.body().toString());
        assertEquals("req-0001", reply.body().path("requestId").asText());
        assertTrue(reply.body().path("decision").path("allowed").asBoolean());
        assertEquals(FakeGateway.ALLOWED_RULE, reply.body().path("decision").path("rule").asText());
        assertEquals("SCORE", reply.body().path("decision").path("disclosure").asText());
        JsonNode alpha = reply.body().path("results").get(0);
        assertEquals("OK", alpha.path("status").asText());
        assertEquals("good", alpha.path("tier").asText());
        assertEquals(603, alpha.path("normalizedValue").asInt());
        assertEquals(712.0, alpha.path("originalValue").asDouble());
        assertEquals(350.0, alpha.path("scale").path("min").asDouble());
        assertEquals(12, alpha.path("latencyMillis").asLong());
        assertEquals("NO_RATING", reply.body().path("results").get(1).path("status").asText());
        assertEquals("factors[1]", reply.body().path("withheld").get(0).path("field").asText());
    }

    @Test
    void malformedJsonIsRejectedNamingTheBody() throws Exception {
        Reply reply = post("{\"subject\": \"" + FakeGateway.SUBJECT + "\", \"purpose\": ");

        assertEquals(400, reply.status());
        assertEquals("INVALID_ARGUMENT", reply.body().path("error").asText());
        assertEquals("body", reply.body().path("field").asText());
        assertTrue(reply.body().path("message").asText().startsWith("malformed JSON"), reply.body().toString());
        assertFalse(reply.body().toString().contains(FakeGateway.SUBJECT), "the error does not echo the subject");
    }

    @Test
    void missingPurposeIsRejectedNamingTheField() throws Exception {
        Reply reply = post("{\"subject\":\"" + FakeGateway.SUBJECT + "\"}");

        assertEquals(400, reply.status());
        assertEquals("purpose", reply.body().path("field").asText());
        assertEquals("required", reply.body().path("message").asText());
    }

    @Test
    void wronglyTypedFieldIsRejectedNamingIt() throws Exception {
        Reply reply = post("{\"subject\":\"" + FakeGateway.SUBJECT + "\",\"purpose\":\"court-enforcement\",\"categories\":\"FINANCIAL\"}");

        assertEquals(400, reply.status());
        assertEquals("categories", reply.body().path("field").asText());
    }

    @Test
    void invalidSubjectFromTheGatewayIsA400NamingTheField() throws Exception {
        Reply reply = post("{\"subject\":\"" + FakeGateway.BAD_CHECK_SUBJECT + "\",\"purpose\":\"court-enforcement\"}");

        assertEquals(400, reply.status());
        assertEquals("subject.value", reply.body().path("field").asText());
        assertEquals("wrong check character", reply.body().path("message").asText());
    }

    @Test
    void policyDenialIsA403NamingTheRule() throws Exception {
        Reply reply = post("{\"subject\":\"" + FakeGateway.SUBJECT + "\",\"purpose\":\"" + FakeGateway.DENIED_PURPOSE + "\"}");

        assertEquals(403, reply.status());
        assertEquals("PERMISSION_DENIED", reply.body().path("error").asText());
        assertEquals(FakeGateway.DENY_RULE, reply.body().path("rule").asText());
        assertTrue(reply.body().path("message").asText().contains("marketing"), reply.body().toString());
    }

    @Test
    void isReadyWithTheMemberCertificateInPlace() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("member-credentials"), response.body());
    }
}
