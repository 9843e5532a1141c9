package cxg.scorer.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import cxg.v1.SubmissionItem;
import java.util.Base64;

/**
 * One line of a submission file. Either a {@link SubmissionItem} in proto3 JSON (the CLI signs
 * it), or an item the platform signed elsewhere: {@code {"payload": base64, "signature": base64}}
 * with the serialised item and its Ed25519 signature, sent as is.
 */
record JsonLines(int line, SubmissionItem item, ByteString payload, ByteString signature, String error) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    static JsonLines parse(int line, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.isObject() && node.has("payload") && node.has("signature")) {
                byte[] payload = Base64.getDecoder().decode(node.get("payload").asText());
                byte[] signature = Base64.getDecoder().decode(node.get("signature").asText());
                SubmissionItem item = SubmissionItem.parseFrom(payload);
                return new JsonLines(line, item, ByteString.copyFrom(payload), ByteString.copyFrom(signature), null);
            }
            SubmissionItem.Builder item = SubmissionItem.newBuilder();
            PARSER.merge(text, item);
            return new JsonLines(line, item.build(), item.build().toByteString(), null, null);
        } catch (InvalidProtocolBufferException e) {
            return new JsonLines(line, null, null, null, "not a submission item: " + oneLine(e.getMessage()));
        } catch (Exception e) {
            return new JsonLines(line, null, null, null, "not valid JSON");
        }
    }

    boolean preSigned() {
        return signature != null;
    }

    String itemId() {
        return item == null ? "" : item.getItemId();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ");
    }
}
