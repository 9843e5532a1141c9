package cxg.scorer.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.MalformedURLException;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Asks the platform's own REST API for a rating ({@code POST {baseUrl}/v1/scores}) and turns
 * every outcome into a {@link ScorerResponse}: it never throws for platform-side failures.
 * The subject identifier travels only in the request body, never in the URL or a log line.
 *
 * <p>The HTTP client is Vert.x's, on the connector's own event loops: a call that arrives on a
 * gRPC event loop is sent, answered and parsed on that same thread, and the gRPC answer leaves
 * from it. {@code java.net.http} was measured against it and lost (BENCHMARKS.md, "The platform
 * call"): its {@code sendAsync} hands every answer to a worker thread and then to the
 * {@code CompletableFuture} default executor, which on a machine with fewer than three CPUs is a
 * new thread per call.
 */
public final class PlatformClient {

    /** Connections kept to the platform; further calls wait for one (within their timeout). */
    static final int MAX_CONNECTIONS = 64;
    private static final Logger LOG = Logger.getLogger(PlatformClient.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final PlatformApiConfig config;
    private final Vertx vertx;
    private final HttpClient http;
    /** Parsed once: Vert.x would parse the URI string again for every call. */
    private final URL scoresUrl;

    public PlatformClient(PlatformApiConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
        this.http = vertx.httpClientBuilder().with(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setMaxPoolSize(MAX_CONNECTIONS)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                .setVerifyHost(true))
                // a reset or refused connection reaches the call as UNAVAILABLE; Vert.x would also log it as an ERROR
                .withConnectHandler(connection -> connection.exceptionHandler(e -> LOG.debugf("platform connection: %s", e)))
                .build();
        try {
            this.scoresUrl = config.scoresUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("cxg.platform.base-url: not a URL");
        }
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
     *               the smaller of this and the configured timeout, for the whole exchange
     */
    public CompletableFuture<ScorerResponse> score(ScorerRequest request, Duration budget) {
        Duration timeout = budget.compareTo(config.timeout()) < 0 ? budget : config.timeout();
        if (timeout.isNegative() || timeout.isZero()) {
            return CompletableFuture.completedFuture(PlatformAnswers.timeout(0));
        }
        long millis = timeout.toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(scoresUrl)
                .setFollowRedirects(false)
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json");
        if (SAFE_REQUEST_ID.matcher(request.getRequestId()).matches()) {
            options.putHeader("X-Request-Id", request.getRequestId());
        }
        Buffer body = Buffer.buffer(body(request));
        CompletableFuture<ScorerResponse> answer = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
        // One timer bounds the whole exchange: waiting for a connection, connect, headers and body.
        // On expiry the exchange is reset (its connection closed), as nobody will read the answer.
        long timer = vertx.setTimer(Math.max(1, millis), id -> {
            if (answer.complete(PlatformAnswers.timeout(millis))) {
                HttpClientRequest call = inFlight.get();
                if (call != null) {
                    call.reset();
                }
            }
        });
        send(options, body, answer, inFlight, timer, millis, true);
        return answer;
    }

    /**
     * @param mayRetry whether a connection closed before the platform answered is tried once more, on another
     *                 connection: a pooled keep-alive connection the platform's server has just timed out closes as the
     *                 request goes out, and a score lookup changes nothing on the platform, so asking again is safe
     */
    private void send(RequestOptions options, Buffer body, CompletableFuture<ScorerResponse> answer,
                      AtomicReference<HttpClientRequest> inFlight, long timer, long millis, boolean mayRetry) {
        http.request(options).onComplete(sent -> {
            if (sent.failed()) {
                finish(answer, timer, failure(sent.cause(), millis));
                return;
            }
            HttpClientRequest call = sent.result();
            // the failure reaches the caller through send(); without a handler Vert.x also logs an ERROR per
            // exchange our own timer resets (thousands a second when a platform is overloaded)
            call.exceptionHandler(e -> LOG.debugf("platform exchange: %s", e));
            inFlight.set(call);
            if (answer.isDone()) {
                call.reset();
                return;
            }
            call.send(body).onComplete(response -> {
                if (response.failed()) {
                    if (mayRetry && !answer.isDone() && closedBeforeAnswer(response.cause())) {
                        send(options, body, answer, inFlight, timer, millis, false);
                    } else {
                        finish(answer, timer, failure(response.cause(), millis));
                    }
                    return;
                }
                HttpClientResponse headers = response.result();
                headers.body().onComplete(bytes -> finish(answer, timer,
                        bytes.succeeded() ? answer(headers.statusCode(), bytes.result()) : failure(bytes.cause(), millis)));
            });
        });
    }

    private static boolean closedBeforeAnswer(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof TimeoutException) {
                return false;
            }
            if (cause instanceof HttpClosedException || cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private void finish(CompletableFuture<ScorerResponse> answer, long timer, ScorerResponse response) {
        vertx.cancelTimer(timer);
        answer.complete(response);
    }

    /** Written field by field: no JSON tree per call. */
    static byte[] body(ScorerRequest request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(192);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("subjectKind", request.getSubject().getKind().name());
            json.writeStringField("subjectId", request.getSubject().getValue());
            json.writeStringField("purpose", request.getPurpose());
            json.writeArrayFieldStart("categories");
            for (int i = 0; i < request.getCategoriesCount(); i++) {
                json.writeString(request.getCategories(i));
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private ScorerResponse answer(int status, Buffer body) {
        if (status == 200) {
            RatingParser.Parsed parsed = RatingParser.parse(body.getBytes(), config.platformId(), config.scaleId());
            return parsed.ok() ? PlatformAnswers.ok(parsed.rating()) : PlatformAnswers.malformed(parsed.problem());
        }
        if (status == 404) {
            return PlatformAnswers.noRating();
        }
        return PlatformAnswers.platformAnswered(status);
    }

    private static ScorerResponse failure(Throwable error, long millis) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                return PlatformAnswers.timeout(millis);
            }
            if (cause instanceof ConnectException) {
                return PlatformAnswers.unavailable("platform unreachable (connection refused)");
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            // Vert.x reports a connection closed mid-exchange as HttpClosedException, not an IOException
            if (cause instanceof IOException || cause instanceof HttpClosedException) {
                return PlatformAnswers.unavailable("platform connection failed");
            }
        }
        return PlatformAnswers.unavailable("platform call failed");
    }
}
