package cxg.scorer.platform;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Asks the platform's own REST API for a rating ({@code POST {baseUrl}/v1/scores}) and turns
 * every outcome into a {@link ScorerResponse}: it never throws for platform-side failures.
 * The subject identifier travels only in the request body, never in the URL or a log line.
 */
public final class PlatformClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final PlatformApiConfig config;
    private final HttpClient http;

    public PlatformClient(PlatformApiConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    /** An HTTP/1.1 client whose connect timeout is the platform timeout. */
    public static HttpClient httpClient(PlatformApiConfig config) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public PlatformApiConfig config() {
        return config;
    }

    /** Same as {@link #score(ScorerRequest, Duration)} with the configured timeout. */
    public CompletableFuture<ScorerResponse> score(ScorerRequest request) {
        return score(request, config.timeout());
    }

    /**
     * @param budget time the caller still has (e.g. the gateway's deadline); the platform gets
     *               the smaller of this and the configured timeout
     */
    public CompletableFuture<ScorerResponse> score(ScorerRequest request, Duration budget) {
        Duration timeout = budget.compareTo(config.timeout()) < 0 ? budget : config.timeout();
        if (timeout.isNegative() || timeout.isZero()) {
            return CompletableFuture.completedFuture(PlatformAnswers.timeout(0));
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(config.scoresUri())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(request)));
        if (SAFE_REQUEST_ID.matcher(request.getRequestId()).matches()) {
            builder.header("X-Request-Id", request.getRequestId());
        }
        long millis = timeout.toMillis();
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                // HttpRequest.timeout covers the wait for headers; this also bounds a slow body.
                .orTimeout(millis, TimeUnit.MILLISECONDS)
                .handle((response, error) -> error == null ? answer(response) : failure(error, millis));
    }

    static byte[] body(ScorerRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("subjectKind", request.getSubject().getKind().name());
        body.put("subjectId", request.getSubject().getValue());
        body.put("purpose", request.getPurpose());
        ArrayNode categories = body.putArray("categories");
        request.getCategoriesList().forEach(categories::add);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ScorerResponse answer(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 200) {
            RatingParser.Parsed parsed = RatingParser.parse(response.body(), config.platformId(), config.scaleId());
            return parsed.ok() ? PlatformAnswers.ok(parsed.rating()) : PlatformAnswers.malformed(parsed.problem());
        }
        if (status == 404) {
            return PlatformAnswers.noRating();
        }
        return PlatformAnswers.platformAnswered(status);
    }

    private static ScorerResponse failure(Throwable error, long millis) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                return PlatformAnswers.timeout(millis);
            }
            if (cause instanceof ConnectException) {
                return PlatformAnswers.unavailable("platform unreachable (connection refused)");
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return PlatformAnswers.unavailable("platform connection failed");
            }
        }
        return PlatformAnswers.unavailable("platform call failed");
    }
}
