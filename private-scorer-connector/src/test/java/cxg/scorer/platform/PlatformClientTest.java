package cxg.scorer.platform;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The platform client against WireMock standing in for the platform's REST API; no Quarkus. */
class PlatformClientTest {

    private static final String SUBJECT = "11010519491231002X";
    private static final String RATING = """
            {"value":712,"tier":"good","computedAt":"2026-11-01T00:00:00Z","validUntil":"2027-02-01T00:00:00Z",
             "factors":[{"category":"FINANCIAL","code":"on-time-repayment","direction":"POSITIVE",
                         "description":"36 months of on-time repayment","attributes":{"months":"36"}},
                        {"category":"JUDICIAL","code":"court-judgment","direction":"NEGATIVE"}],
             "attributes":{"model":"v7"}}""";

    /** Generous, so that a busy machine never turns an expected answer into TIMEOUT. */
    private static final Duration ROOMY = Duration.ofSeconds(10);

    private static final Vertx VERTX = Vertx.vertx();
    private static WireMockServer platform;
    private PlatformClient client;

    @BeforeAll
    static void startPlatform() {
        platform = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        platform.start();
    }

    @AfterAll
    static void stopPlatform() {
        platform.stop();
        VERTX.close();
    }

    @BeforeEach
    void reset() {
        platform.resetAll();
        client = clientFor(URI.create(platform.baseUrl()), ROOMY);
    }

    private static PlatformClient clientFor(URI baseUrl, Duration timeout) {
        PlatformApiConfig config = new PlatformApiConfig(baseUrl, timeout, "alpha-credit", "alpha-credit-350-950");
        return new PlatformClient(config, VERTX);
    }

    private static ScorerRequest request() {
        return ScorerRequest.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(SUBJECT))
                .setPurpose("loan-eligibility")
                .addCategories("FINANCIAL").addCategories("JUDICIAL")
                .setRequestId("req-1")
                .build();
    }

    private ScorerResponse ask() throws Exception {
        return client.score(request()).get();
    }

    private static void platformAnswers(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        platform.stubFor(post(urlEqualTo("/v1/scores")).willReturn(answer));
    }

    @Test
    void returnsTheRatingWithItsValuesWhenPlatformAnswers200() throws Exception {
        platformAnswers(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(RATING));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.OK, response.getStatus());
        var rating = response.getRating();
        assertEquals("alpha-credit", rating.getPlatform());
        assertEquals("alpha-credit-350-950", rating.getScaleId());
        assertEquals(712.0, rating.getValue());
        assertEquals("good", rating.getTier());
        assertEquals(Instant.parse("2026-11-01T00:00:00Z").getEpochSecond(), rating.getComputedAt().getSeconds());
        assertEquals(Instant.parse("2027-02-01T00:00:00Z").getEpochSecond(), rating.getValidUntil().getSeconds());
        assertEquals(2, rating.getFactorsCount());
        assertEquals("FINANCIAL", rating.getFactors(0).getCategory());
        assertEquals("on-time-repayment", rating.getFactors(0).getCode());
        assertEquals(FactorDirection.POSITIVE, rating.getFactors(0).getDirection());
        assertEquals("36", rating.getFactors(0).getAttributesMap().get("months"));
        assertEquals(FactorDirection.NEGATIVE, rating.getFactors(1).getDirection());
        assertEquals("v7", rating.getAttributesMap().get("model"));
    }

    @Test
    void sendsTheSubjectOnlyInTheJsonBody() throws Exception {
        platformAnswers(aResponse().withStatus(404));

        assertEquals(PlatformStatus.NO_RATING, ask().getStatus());

        platform.verify(postRequestedFor(urlEqualTo("/v1/scores"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("X-Request-Id", equalTo("req-1"))
                .withRequestBody(equalToJson("""
                        {"subjectKind":"RESIDENT_ID","subjectId":"11010519491231002X",
                         "purpose":"loan-eligibility","categories":["FINANCIAL","JUDICIAL"]}""")));
        platform.getAllServeEvents().forEach(event ->
                assertFalse(event.getRequest().getUrl().contains(SUBJECT), "subject leaked into the URL"));
    }

    @Test
    void answersNoRatingWhenPlatformAnswers404() throws Exception {
        platformAnswers(aResponse().withStatus(404));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.NO_RATING, response.getStatus());
        assertFalse(response.hasRating());
    }

    @Test
    void answersUnavailableNamingTheHttpStatusWhenPlatformAnswers500() throws Exception {
        platformAnswers(aResponse().withStatus(500).withBody("internal error for " + SUBJECT));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.UNAVAILABLE, response.getStatus());
        assertEquals("platform answered 500", response.getDetail());
    }

    @Test
    void answersUnavailableWhenPlatformAnswers503() throws Exception {
        platformAnswers(aResponse().withStatus(503));

        assertEquals("platform answered 503", ask().getDetail());
    }

    @Test
    void answersTimeoutWhenPlatformIsSlowerThanTheTimeout() throws Exception {
        client = clientFor(URI.create(platform.baseUrl()), Duration.ofMillis(200));
        platformAnswers(aResponse().withStatus(200).withBody(RATING).withFixedDelay(3_000));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.TIMEOUT, response.getStatus());
        assertEquals("platform did not answer within 200 ms", response.getDetail());
    }

    @Test
    void answersTimeoutWhenTheBodyTricklesInSlowerThanTheTimeout() throws Exception {
        client = clientFor(URI.create(platform.baseUrl()), Duration.ofMillis(300));
        platformAnswers(aResponse().withStatus(200).withBody(RATING).withChunkedDribbleDelay(5, 3_000));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.TIMEOUT, response.getStatus());
        assertEquals("platform did not answer within 300 ms", response.getDetail());
    }

    @Test
    void givesThePlatformOnlyTheCallersRemainingBudgetWhenThatIsShorter() throws Exception {
        client = clientFor(URI.create(platform.baseUrl()), ROOMY);
        platformAnswers(aResponse().withStatus(200).withBody(RATING).withFixedDelay(3_000));

        ScorerResponse response = client.score(request(), Duration.ofMillis(150)).get();

        assertEquals(PlatformStatus.TIMEOUT, response.getStatus());
        assertEquals("platform did not answer within 150 ms", response.getDetail());
    }

    @Test
    void answersUnavailableWhenPlatformSendsMalformedJson() throws Exception {
        platformAnswers(aResponse().withStatus(200).withBody("{\"value\": 712, \"tier\": "));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.UNAVAILABLE, response.getStatus());
        assertEquals("platform answered 200 with a malformed rating: body is not valid JSON", response.getDetail());
    }

    @Test
    void answersUnavailableNamingTheFieldWhenARatingFieldHasTheWrongType() throws Exception {
        platformAnswers(aResponse().withStatus(200).withBody(RATING.replace("712", "\"" + SUBJECT + "\"")));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.UNAVAILABLE, response.getStatus());
        assertEquals("platform answered 200 with a malformed rating: value: must be a number", response.getDetail());
        assertFalse(response.getDetail().contains(SUBJECT));
    }

    @Test
    void answersUnavailableWhenThePlatformDropsTheConnection() throws Exception {
        platformAnswers(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.UNAVAILABLE, response.getStatus());
        assertEquals("platform connection failed", response.getDetail());
    }

    @Test
    void asksOnceMoreOnAnotherConnectionWhenTheFirstIsClosedBeforeTheAnswer() throws Exception {
        // as when the platform's server has just closed the idle keep-alive connection the request went out on
        platform.stubFor(post(urlEqualTo("/v1/scores")).inScenario("closed").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("open"));
        platform.stubFor(post(urlEqualTo("/v1/scores")).inScenario("closed").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(RATING)));

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.OK, response.getStatus(), response.toString());
        platform.verify(2, postRequestedFor(urlEqualTo("/v1/scores")).withRequestBody(equalToJson(
                "{\"subjectKind\":\"RESIDENT_ID\",\"subjectId\":\"" + SUBJECT + "\",\"purpose\":\"loan-eligibility\","
                        + "\"categories\":[\"FINANCIAL\",\"JUDICIAL\"]}")));
    }

    @Test
    void asksOnlyOnceMoreAndNeverAfterAnAnswer() throws Exception {
        platformAnswers(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        assertEquals(PlatformStatus.UNAVAILABLE, ask().getStatus());
        platform.verify(2, postRequestedFor(urlEqualTo("/v1/scores")));

        platform.resetAll();
        platformAnswers(aResponse().withStatus(503));
        assertEquals(PlatformStatus.UNAVAILABLE, ask().getStatus());
        platform.verify(1, postRequestedFor(urlEqualTo("/v1/scores")));
    }

    @Test
    void answersUnavailableWhenNothingListensAtTheBaseUrl() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        client = clientFor(URI.create("http://127.0.0.1:" + closedPort), ROOMY);

        ScorerResponse response = ask();

        assertEquals(PlatformStatus.UNAVAILABLE, response.getStatus());
        assertEquals("platform unreachable (connection refused)", response.getDetail());
    }

    @Test
    void acceptsABaseUrlWithATrailingSlashOrAPathPrefix() throws Exception {
        platform.stubFor(post(urlEqualTo("/scoring/v1/scores")).willReturn(aResponse().withStatus(404)));
        client = clientFor(URI.create(platform.baseUrl() + "/scoring/"), ROOMY);

        assertEquals(PlatformStatus.NO_RATING, ask().getStatus());
        assertTrue(platform.findUnmatchedRequests().getRequests().isEmpty());
    }
}
