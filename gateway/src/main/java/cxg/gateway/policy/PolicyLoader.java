package cxg.gateway.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import tools.jackson.databind.JsonNode;

/**
 * Reads and validates a whole policy directory. Validation is whole-set: every file against
 * its JSON Schema (shipped in {@code policies/schema/}, bundled on the classpath so that a
 * policy directory cannot weaken its own schema), then references between files, overlaps,
 * validity and scale coverage. Every problem is reported as {@code file:line: message}; a
 * set with any problem is never loaded.
 */
public final class PolicyLoader {
    public static final List<String> FILES = List.of("members.yaml", "categories.yaml", "purposes.yaml", "agreements.yaml",
            "scales.yaml");
    /** Prohibited by law whatever categories.yaml says: they must stay in its prohibited list. */
    public static final List<String> ALWAYS_PROHIBITED = List.of("RELIGION", "GENETICS", "BIOMETRICS", "BLOOD_TYPE", "MEDICAL");

    private static final Map<String, Schema> SCHEMAS = loadSchemas();

    /** The outcome of a load: a policy set, or the errors that kept it from loading. */
    public record Result(Optional<PolicySet> policySet, List<PolicyError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return policySet.isPresent();
        }
    }

    private final Clock clock;
    private final QuotaLimiter quotas;

    public PolicyLoader(Clock clock, QuotaLimiter quotas) {
        this.clock = clock;
        this.quotas = quotas;
    }

    public Result load(Path dir) {
        List<PolicyError> errors = new ArrayList<>();
        Map<String, YamlTree> trees = new HashMap<>();
        for (String file : FILES) {
            YamlTree tree = YamlTree.read(dir, file, errors);
            if (tree != null && validateSchema(tree, errors)) {
                trees.put(file, tree);
            }
        }
        Context ctx = new Context(trees, errors, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        CategoryTaxonomy taxonomy = ctx.categories();
        Set<String> purposes = ctx.purposes();
        Map<String, ScoreScaleDef> scales = ctx.scales();
        List<Member> members = ctx.members(scales);
        List<Agreement> agreements = ctx.agreements(members, taxonomy, purposes);
        Retention retention = ctx.retention();
        if (!errors.isEmpty() || trees.size() != FILES.size()) {
            Collections.sort(errors);
            return new Result(Optional.empty(), errors);
        }
        return new Result(Optional.of(new LoadedPolicySet(members, purposes, taxonomy, List.copyOf(scales.values()),
                agreements, clock, quotas, retention)), List.of());
    }

    private static boolean validateSchema(YamlTree tree, List<PolicyError> errors) {
        List<Error> problems = SCHEMAS.get(tree.file).validate(tree.root);
        for (Error e : problems) {
            StringBuilder pointer = new StringBuilder();
            StringBuilder path = new StringBuilder();
            var location = e.getInstanceLocation();
            for (int i = 0; i < location.getNameCount(); i++) {
                Object element = location.getElement(i);
                pointer.append('/').append(String.valueOf(element).replace("~", "~0").replace("/", "~1"));
                if (element instanceof Integer index) {
                    path.append('[').append(index).append(']');
                } else {
                    path.append(path.length() == 0 ? "" : ".").append(element);
                }
            }
            String where = path.length() == 0 ? "" : path + ": ";
            errors.add(tree.error(pointer.toString(), "schema: " + where + e.getMessage()));
        }
        return problems.isEmpty();
    }

    private static Map<String, Schema> loadSchemas() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<String, Schema> schemas = new HashMap<>();
        for (String file : FILES) {
            String resource = "/cxg/policy/schema/" + file.replace(".yaml", ".schema.json");
            try (InputStream in = PolicyLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("policy schema missing from the classpath: " + resource);
                }
                schemas.put(file, registry.getSchema(in));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read policy schema " + resource, e);
            }
        }
        return Map.copyOf(schemas);
    }

    /** Semantic checks over the schema-valid files; a file that failed its schema is skipped. */
    private static final class Context {
        private final Map<String, YamlTree> trees;
        private final List<PolicyError> errors;
        private final LocalDate today;

        Context(Map<String, YamlTree> trees, List<PolicyError> errors, LocalDate today) {
            this.trees = trees;
            this.errors = errors;
            this.today = today;
        }

        CategoryTaxonomy categories() {
            YamlTree t = trees.get("categories.yaml");
            if (t == null) {
                return null;
            }
            Set<String> allowed = new LinkedHashSet<>();
            Map<String, List<String>> prohibited = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            JsonNode p = t.root.get("prohibited");
            for (int i = 0; i < p.size(); i++) {
                String id = p.get(i).get("id").asString();
                if (!seen.add(id)) {
                    errors.add(t.error("/prohibited/" + i + "/id", "duplicate category " + id));
                }
                List<String> keywords = new ArrayList<>();
                p.get(i).get("keywords").forEach(k -> keywords.add(k.asString()));
                prohibited.put(id, keywords);
            }
            for (String must : ALWAYS_PROHIBITED) {
                if (!prohibited.containsKey(must)) {
                    errors.add(t.error("/prohibited", "prohibited must list " + must + ": it is prohibited by law"));
                }
            }
            KeywordMatcher matcher = KeywordMatcher.of(prohibited);
            JsonNode a = t.root.get("allowed");
            for (int i = 0; i < a.size(); i++) {
                String id = a.get(i).get("id").asString();
                String pointer = "/allowed/" + i + "/id";
                if (!seen.add(id)) {
                    errors.add(t.error(pointer, prohibited.containsKey(id)
                            ? "category " + id + " is prohibited and cannot also be allowed" : "duplicate category " + id));
                    continue;
                }
                String revealed = matcher.match(id);
                if (revealed != null) {
                    errors.add(t.error(pointer, "allowed category " + id + " reveals prohibited category " + revealed));
                }
                allowed.add(id);
            }
            return new CategoryTaxonomy(allowed, prohibited);
        }

        /** categories.yaml#retention: ISO-8601 durations (e.g. P30D), zero up to {@link Retention#MAX}. */
        Retention retention() {
            YamlTree t = trees.get("categories.yaml");
            JsonNode r = t == null ? null : t.root.get("retention");
            if (r == null) {
                return Retention.DEFAULT;
            }
            Duration afterExpiry = period(t, r, "afterExpiry", Retention.DEFAULT.afterExpiry());
            Duration afterLift = period(t, r, "afterLift", Retention.DEFAULT.afterLift());
            return afterExpiry == null || afterLift == null ? Retention.DEFAULT : new Retention(afterExpiry, afterLift);
        }

        private Duration period(YamlTree t, JsonNode retention, String field, Duration fallback) {
            JsonNode node = retention.get(field);
            if (node == null) {
                return fallback;
            }
            String pointer = "/retention/" + field;
            try {
                Duration d = Duration.parse(node.asString());
                if (d.isNegative() || d.compareTo(Retention.MAX) > 0) {
                    errors.add(t.error(pointer, "retention." + field + " must be between P0D and P3650D"));
                    return null;
                }
                return d;
            } catch (DateTimeParseException e) {
                errors.add(t.error(pointer, "retention." + field + " is not an ISO-8601 duration such as P30D"));
                return null;
            }
        }

        Set<String> purposes() {
            YamlTree t = trees.get("purposes.yaml");
            if (t == null) {
                return null;
            }
            Set<String> ids = new LinkedHashSet<>();
            JsonNode list = t.root.get("purposes");
            for (int i = 0; i < list.size(); i++) {
                String id = list.get(i).get("id").asString();
                if (!ids.add(id)) {
                    errors.add(t.error("/purposes/" + i + "/id", "duplicate purpose " + id));
                }
            }
            return ids;
        }

        Map<String, ScoreScaleDef> scales() {
            YamlTree t = trees.get("scales.yaml");
            if (t == null) {
                return null;
            }
            Map<String, ScoreScaleDef> scales = new LinkedHashMap<>();
            JsonNode list = t.root.get("scales");
            for (int i = 0; i < list.size(); i++) {
                JsonNode s = list.get(i);
                String at = "/scales/" + i;
                String id = s.get("id").asString();
                double min = s.get("min").asDouble();
                double max = s.get("max").asDouble();
                int before = errors.size();
                if (scales.containsKey(id)) {
                    errors.add(t.error(at + "/id", "duplicate scale " + id));
                }
                if (!(min < max)) {
                    errors.add(t.error(at + "/max", "scale " + id + ": max " + num(max) + " must be above min " + num(min)));
                    continue;
                }
                List<ScoreScaleDef.Tier> tiers = new ArrayList<>();
                Set<String> labels = new HashSet<>();
                JsonNode tierList = s.get("tiers");
                for (int j = 0; j < tierList.size(); j++) {
                    JsonNode tier = tierList.get(j);
                    String tat = at + "/tiers/" + j;
                    String label = tier.get("label").asString();
                    double from = tier.get("from").asDouble();
                    double to = tier.get("to").asDouble();
                    if (!labels.add(label)) {
                        errors.add(t.error(tat, "scale " + id + ": duplicate tier " + label));
                    }
                    if (!(from < to)) {
                        errors.add(t.error(tat, "scale " + id + ": tier " + label + " must have from below to"));
                    } else if (from < min || to > max) {
                        errors.add(t.error(tat, "scale " + id + ": tier " + label + " [" + num(from) + ", " + num(to)
                                + ") lies outside the scale [" + num(min) + ", " + num(max) + "]"));
                    }
                    if (j > 0 && from >= tiers.get(j - 1).from()) {
                        errors.add(t.error(tat, "scale " + id + ": tiers must be listed best (highest) first"));
                    }
                    tiers.add(new ScoreScaleDef.Tier(label, from, to));
                }
                if (errors.size() == before) {
                    checkCoverage(t, at, id, min, max, tiers);
                }
                scales.put(id, new ScoreScaleDef(id, min, max, tiers));
            }
            return scales;
        }

        /** Tiers best first; walking them from the bottom they must tile [min, max] exactly. */
        private void checkCoverage(YamlTree t, String at, String id, double min, double max, List<ScoreScaleDef.Tier> tiers) {
            double covered = min;
            for (int j = tiers.size() - 1; j >= 0; j--) {
                ScoreScaleDef.Tier tier = tiers.get(j);
                String tat = at + "/tiers/" + j;
                if (tier.from() > covered) {
                    errors.add(t.error(tat, "scale " + id + ": tiers leave [" + num(covered) + ", " + num(tier.from())
                            + ") uncovered"));
                } else if (tier.from() < covered) {
                    errors.add(t.error(tat, "scale " + id + ": tier " + tier.label() + " overlaps the tier below it on ["
                            + num(tier.from()) + ", " + num(covered) + ")"));
                }
                covered = tier.to();
            }
            if (covered < max) {
                errors.add(t.error(at + "/tiers/0", "scale " + id + ": tiers leave [" + num(covered) + ", " + num(max)
                        + "] uncovered"));
            }
        }

        List<Member> members(Map<String, ScoreScaleDef> scales) {
            YamlTree t = trees.get("members.yaml");
            if (t == null) {
                return List.of();
            }
            List<Member> members = new ArrayList<>();
            Map<String, Integer> ids = new HashMap<>();
            Map<X500Principal, String> subjects = new HashMap<>();
            JsonNode list = t.root.get("members");
            for (int i = 0; i < list.size(); i++) {
                JsonNode m = list.get(i);
                String at = "/members/" + i;
                String id = m.get("id").asString();
                MemberKind kind = MemberKind.valueOf(m.get("kind").asString().toUpperCase(Locale.ROOT));
                if (ids.putIfAbsent(id, t.line(at)) != null) {
                    errors.add(t.error(at + "/id", "duplicate member " + id + " (first at line " + ids.get(id) + ")"));
                }
                String subject = m.get("certificateSubject").asString();
                try {
                    String other = subjects.putIfAbsent(new X500Principal(subject), id);
                    if (other != null) {
                        errors.add(t.error(at + "/certificateSubject", "member " + id
                                + " has the same certificate subject as member " + other));
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(t.error(at + "/certificateSubject", "member " + id + ": certificateSubject is not an X.500 name"));
                    continue;
                }
                String scale = m.has("scale") ? m.get("scale").asString() : null;
                if (scale != null && scales != null && !scales.containsKey(scale)) {
                    errors.add(t.error(at + "/scale", "member " + id + ": unknown scale '" + scale + "' (not in scales.yaml)"));
                }
                String signingKey = m.has("signingKey") ? m.get("signingKey").get("publicKey").asString() : null;
                if (signingKey != null) {
                    try {
                        byte[] der = Base64.getDecoder().decode(signingKey);
                        KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
                    } catch (Exception e) {
                        errors.add(t.error(at + "/signingKey/publicKey", "member " + id
                                + ": publicKey is not a base64 Ed25519 SubjectPublicKeyInfo"));
                    }
                }
                String endpoint = m.has("scorer") ? m.get("scorer").get("endpoint").asString() : null;
                members.add(Member.of(id, kind, subject, endpoint, scale, signingKey));
            }
            return members;
        }

        List<Agreement> agreements(List<Member> members, CategoryTaxonomy taxonomy, Set<String> purposes) {
            YamlTree t = trees.get("agreements.yaml");
            if (t == null) {
                return List.of();
            }
            Map<String, Member> byId = new HashMap<>();
            members.forEach(m -> byId.put(m.id(), m));
            boolean membersLoaded = trees.containsKey("members.yaml");
            List<Agreement> agreements = new ArrayList<>();
            Map<String, Integer> idLines = new HashMap<>();
            Map<Agreement, Integer> lines = new HashMap<>();
            JsonNode list = t.root.get("agreements");
            for (int i = 0; i < list.size(); i++) {
                JsonNode a = list.get(i);
                String at = "/agreements/" + i;
                String id = a.get("id").asString();
                int before = errors.size();
                if (idLines.putIfAbsent(id, t.line(at)) != null) {
                    errors.add(t.error(at + "/id", "duplicate agreement " + id + " (first at line " + idLines.get(id) + ")"));
                }
                String member = a.get("member").asString();
                Member m = byId.get(member);
                if (membersLoaded && m == null) {
                    errors.add(t.error(at + "/member", "agreement " + id + ": unknown member '" + member + "'"));
                } else if (m != null && m.kind() != MemberKind.AGENCY) {
                    errors.add(t.error(at + "/member", "agreement " + id + ": member " + member + " is a "
                            + m.kind().name().toLowerCase(Locale.ROOT) + "; only agencies may be granted query purposes"));
                }
                String purpose = a.get("purpose").asString();
                if (purposes != null && !purposes.contains(purpose)) {
                    errors.add(t.error(at + "/purpose", "agreement " + id + ": unknown purpose '" + purpose + "'"));
                }
                Set<String> categories = new LinkedHashSet<>();
                JsonNode cats = a.get("categories");
                for (int j = 0; j < cats.size(); j++) {
                    String c = cats.get(j).asString();
                    categories.add(c);
                    if (taxonomy == null) {
                        continue;
                    }
                    String banned = taxonomy.isProhibited(c) ? c : taxonomy.prohibitedCategoryOf(c);
                    if (banned != null) {
                        errors.add(t.error(at + "/categories/" + j, "agreement " + id + " grants prohibited category " + c
                                + (banned.equals(c) ? "" : " (reveals " + banned + ")") + "; no agreement may grant it"));
                    } else if (!taxonomy.isKnown(c)) {
                        errors.add(t.error(at + "/categories/" + j, "agreement " + id + ": unknown category '" + c
                                + "' (not in categories.yaml)"));
                    }
                }
                LocalDate from = date(t, at + "/validFrom", a.get("validFrom").asString());
                LocalDate until = date(t, at + "/validUntil", a.get("validUntil").asString());
                if (from != null && until != null) {
                    if (until.isBefore(from)) {
                        errors.add(t.error(at + "/validUntil", "agreement " + id + ": validUntil " + until
                                + " is before validFrom " + from));
                    } else if (until.isBefore(today)) {
                        errors.add(t.error(at + "/validUntil", "agreement " + id + ": validity expired on " + until));
                    }
                }
                if (errors.size() != before) {
                    continue;
                }
                Agreement agreement = new Agreement(id, member, purpose, categories,
                        Disclosure.valueOf(a.get("disclosure").asString()), from, until, a.get("legalBasis").asString(),
                        a.get("quotaPerMinute").asInt());
                for (Agreement other : agreements) {
                    if (other.member().equals(member) && other.purpose().equals(purpose) && other.overlaps(agreement)) {
                        boolean same = other.categories().equals(agreement.categories())
                                && other.disclosure() == agreement.disclosure();
                        errors.add(t.error(at, "agreement " + id + (same ? " overlaps" : " contradicts") + " agreement "
                                + other.id() + " (line " + lines.get(other) + "): both cover member " + member
                                + " and purpose " + purpose + " from " + later(from, other.validFrom()) + " to "
                                + earlier(until, other.validUntil())));
                    }
                }
                agreements.add(agreement);
                lines.put(agreement, t.line(at));
            }
            return agreements;
        }

        private LocalDate date(YamlTree t, String pointer, String text) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                errors.add(t.error(pointer, "not a date (YYYY-MM-DD): " + text));
                return null;
            }
        }

        private static LocalDate later(LocalDate a, LocalDate b) {
            return a.isAfter(b) ? a : b;
        }

        private static LocalDate earlier(LocalDate a, LocalDate b) {
            return a.isBefore(b) ? a : b;
        }

        private static String num(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }
}
