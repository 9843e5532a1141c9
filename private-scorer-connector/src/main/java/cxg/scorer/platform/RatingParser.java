package cxg.scorer.platform;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.Timestamp;
import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformRating;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Reads the platform's 200 answer strictly: required fields must be present with the right
 * JSON type, timestamps must be ISO-8601 with an offset, directions must be known. Unknown
 * fields are ignored so a platform can add fields without breaking the connector.
 * Problems name the field and never echo a value (a value could carry subject data).
 */
public final class RatingParser {

    /** Larger answers are refused rather than parsed. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private static final Set<String> DIRECTIONS = Set.of("POSITIVE", "NEGATIVE", "NEUTRAL");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private RatingParser() {
    }

    /** Either a rating or the problem that made the body unusable. */
    public record Parsed(PlatformRating rating, String problem) {
        public boolean ok() {
            return rating != null;
        }
    }

    public static Parsed parse(byte[] body, String platformId, String scaleId) {
        if (body.length > MAX_BODY_BYTES) {
            return problem("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return problem("body is not valid JSON");
        } catch (IOException e) {
            return problem("body could not be read");
        }
        if (root == null || !root.isObject()) {
            return problem("body must be a JSON object");
        }
        try {
            return new Parsed(rating(root, platformId, scaleId), null);
        } catch (Invalid e) {
            return problem(e.getMessage());
        }
    }

    private static Parsed problem(String problem) {
        return new Parsed(null, problem);
    }

    private static PlatformRating rating(JsonNode root, String platformId, String scaleId) {
        PlatformRating.Builder rating = PlatformRating.newBuilder()
                .setPlatform(platformId)
                .setScaleId(scaleId)
                .setValue(number(root, "value"))
                .setTier(text(root, "tier", "tier"))
                .setComputedAt(timestamp(root, "computedAt", "computedAt"));
        if (present(root, "validUntil")) {
            rating.setValidUntil(timestamp(root, "validUntil", "validUntil"));
        }
        if (present(root, "factors")) {
            JsonNode factors = root.get("factors");
            if (!factors.isArray()) {
                throw new Invalid("factors: must be an array");
            }
            for (int i = 0; i < factors.size(); i++) {
                rating.addFactors(factor(factors.get(i), "factors[" + i + "]"));
            }
        }
        attributes(root, "attributes", rating::putAttributes);
        return rating.build();
    }

    private static Factor factor(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new Invalid(path + ": must be an object");
        }
        String direction = text(node, "direction", path + ".direction");
        if (!DIRECTIONS.contains(direction)) {
            throw new Invalid(path + ".direction: must be one of POSITIVE, NEGATIVE, NEUTRAL");
        }
        Factor.Builder factor = Factor.newBuilder()
                .setCategory(text(node, "category", path + ".category"))
                .setCode(text(node, "code", path + ".code"))
                .setDirection(FactorDirection.valueOf(direction));
        if (present(node, "description")) {
            JsonNode description = node.get("description");
            if (!description.isTextual()) {
                throw new Invalid(path + ".description: must be a string");
            }
            factor.setDescription(description.textValue());
        }
        attributes(node, path + ".attributes", factor::putAttributes);
        return factor.build();
    }

    private static void attributes(JsonNode parent, String path, BiConsumer<String, String> sink) {
        if (!present(parent, "attributes")) {
            return;
        }
        JsonNode attributes = parent.get("attributes");
        if (!attributes.isObject()) {
            throw new Invalid(path + ": must be an object of string values");
        }
        Iterator<Map.Entry<String, JsonNode>> entries = attributes.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw new Invalid(path + ": every value must be a string");
            }
            sink.accept(entry.getKey(), entry.getValue().textValue());
        }
    }

    private static boolean present(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node != null && !node.isNull();
    }

    private static double number(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new Invalid(field + ": missing");
        }
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw new Invalid(field + ": must be a number");
        }
        return node.doubleValue();
    }

    private static String text(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new Invalid(path + ": missing");
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw new Invalid(path + ": must be a non-empty string");
        }
        return node.textValue();
    }

    private static Timestamp timestamp(JsonNode parent, String field, String path) {
        String text = text(parent, field, path);
        try {
            Instant instant = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
            return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
        } catch (DateTimeParseException e) {
            throw new Invalid(path + ": must be an ISO-8601 timestamp with offset, e.g. 2026-11-01T00:00:00Z");
        }
    }

    /** Internal control flow only; its message is the field-named problem. */
    private static final class Invalid extends RuntimeException {
        Invalid(String problem) {
            super(problem, null, false, false);
        }
    }
}
