package cxg.agency.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Set;

/** A request body read as a JSON object holding only known fields, or the field it is refused for and why. */
record JsonBody(JsonNode root, String field, String message) {

    static JsonBody read(ObjectMapper mapper, String body, Set<String> fields) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            return refused("body", "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        }
        if (root == null || !root.isObject()) {
            return refused("body", "must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!fields.contains(name)) {
                return refused(name, "unknown field");
            }
        }
        return new JsonBody(root, null, null);
    }

    boolean valid() {
        return root != null;
    }

    private static JsonBody refused(String field, String message) {
        return new JsonBody(null, field, message);
    }
}
