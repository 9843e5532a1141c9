package cxg.gateway.policy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A YAML file as a JSON tree (for schema validation and reading) plus the source line of
 * every node, keyed by JSON pointer, so that every error can say {@code file:line}.
 */
final class YamlTree {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    final String file;
    final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlTree(String file, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** Parses {@code dir/file}; syntax problems go to {@code errors} and yield null. */
    static YamlTree read(Path dir, String file, List<PolicyError> errors) {
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            errors.add(new PolicyError(file, 0, "file is missing"));
            return null;
        }
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            Node node = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
            if (node == null) {
                errors.add(new PolicyError(file, 1, "file is empty"));
                return null;
            }
            Map<String, Integer> lines = new HashMap<>();
            int before = errors.size();
            JsonNode root = convert(file, node, "", lines, errors);
            return errors.size() == before ? new YamlTree(file, root, lines) : null;
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            errors.add(new PolicyError(file, line, "YAML syntax: " + e.getProblem()));
        } catch (YAMLException e) {
            errors.add(new PolicyError(file, 0, "YAML syntax: " + e.getMessage()));
        } catch (IOException e) {
            errors.add(new PolicyError(file, 0, "cannot read: " + e.getClass().getSimpleName()));
        }
        return null;
    }

    /** Line of the node at {@code pointer}, or of its closest ancestor that has one. */
    int line(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 1;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    PolicyError error(String pointer, String message) {
        return new PolicyError(file, line(pointer), message);
    }

    private static JsonNode convert(String file, Node node, String pointer, Map<String, Integer> lines, List<PolicyError> errors) {
        lines.put(pointer, node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JSON.objectNode();
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    errors.add(new PolicyError(file, tuple.getKeyNode().getStartMark().getLine() + 1, "keys must be plain strings"));
                    continue;
                }
                String key = keyNode.getValue();
                if (!seen.add(key)) {
                    errors.add(new PolicyError(file, keyNode.getStartMark().getLine() + 1, "duplicate key '" + key + "'"));
                    continue;
                }
                String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                object.set(key, convert(file, tuple.getValueNode(), child, lines, errors));
                lines.put(child, keyNode.getStartMark().getLine() + 1);
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                array.add(convert(file, items.get(i), pointer + "/" + i, lines, errors));
            }
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        String value = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                return JSON.numberNode(Long.parseLong(value.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return JSON.numberNode(Double.parseDouble(value.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            return JSON.stringNode(value);
        }
        if (Tag.BOOL.equals(tag)) {
            return JSON.booleanNode(value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("on"));
        }
        if (Tag.NULL.equals(tag)) {
            return JSON.nullNode();
        }
        return JSON.stringNode(value);
    }
}
