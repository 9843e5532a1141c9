package cxg.bench.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FastPlatformTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static FastPlatform platform;

    @BeforeAll
    static void start() throws Exception {
        platform = FastPlatform.start(new InetSocketAddress("127.0.0.1", 0), 0);
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String request(String subject) {
        return "{\"subjectKind\":\"RESIDENT_ID\",\"subjectId\":\"" + subject
                + "\",\"purpose\":\"court-enforcement\",\"categories\":[\"FINANCIAL\"]}";
    }

    @Test
    void answersTheDemoSubjectsRatingInTheContractsJson() throws Exception {
        HttpResponse<String> r = post("/alpha-credit/v1/scores", request(FastPlatform.SUBJECT));

        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("{\"value\":712,"), r.body());
    }

    @Test
    void answersNoRatingForAnotherSubjectOrAnUnknownPlatform() throws Exception {
        assertEquals(404, post("/alpha-credit/v1/scores", request("91350100M000100Y43")).statusCode());
        assertEquals(404, post("/gamma/v1/scores", request(FastPlatform.SUBJECT)).statusCode());
    }

    @Test
    void refusesABodyThatDoesNotFollowTheContract() throws Exception {
        assertEquals(400, post("/beta-score/v1/scores", "{\"subjectId\":\"" + FastPlatform.SUBJECT + "\"}").statusCode());
        assertEquals(400, post("/beta-score/v1/scores", request(FastPlatform.SUBJECT).replace("RESIDENT_ID", "PASSPORT")).statusCode());
        assertEquals(400, post("/beta-score/v1/scores", "not json").statusCode());
    }
}
