package cxg.scorer.platform;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Where and how to reach the platform's own REST scoring API, and how to label its answers.
 *
 * @param baseUrl    {@code cxg.platform.base-url}; the connector calls {@code POST {baseUrl}/v1/scores}
 * @param timeout    {@code cxg.platform.timeout}; an answer slower than this is {@code TIMEOUT}
 * @param platformId the member id written into {@code PlatformRating.platform}
 * @param scaleId    {@code cxg.platform.scale-id}, written into {@code PlatformRating.scale_id}
 */
public record PlatformApiConfig(URI baseUrl, Duration timeout, String platformId, String scaleId) {

    /** @throws IllegalArgumentException naming the config key of the bad value */
    public PlatformApiConfig {
        if (baseUrl == null || baseUrl.getScheme() == null || baseUrl.getHost() == null
                || !(baseUrl.getScheme().toLowerCase(Locale.ROOT).matches("https?"))
                || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "cxg.platform.base-url: must be an http(s) URL without query, e.g. http://127.0.0.1:7601");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("cxg.platform.timeout: must be a positive duration, e.g. 1500ms");
        }
        if (platformId == null || platformId.isBlank()) {
            throw new IllegalArgumentException("cxg.member: must not be blank");
        }
        if (scaleId == null || scaleId.isBlank()) {
            throw new IllegalArgumentException("cxg.platform.scale-id: must not be blank");
        }
    }

    /** {@code {baseUrl}/v1/scores}, tolerating a trailing slash on the base URL. */
    public URI scoresUri() {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/scores");
    }
}
