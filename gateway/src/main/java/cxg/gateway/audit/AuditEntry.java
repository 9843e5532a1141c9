package cxg.gateway.audit;

import cxg.gateway.policy.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One audit record: who asked what about whom, why, what policy decided and what was served or
 * withheld, and how the request ended. Serialised as canonical JSON (sorted keys, no whitespace),
 * so the bytes in the log, and their hash, are deterministic. Subjects appear only as an HMAC and
 * a masked form, never as the identifier.
 *
 * @param outcome the request's final status, e.g. {@code OK}, {@code PERMISSION_DENIED}
 * @param batch for submissions: item counts and each item's subject HMAC; null otherwise
 */
public record AuditEntry(Instant time, String member, String role, String service, String method, String purpose,
                         SubjectHasher.SubjectRef subject, List<String> categoriesRequested, List<String> categoriesServed,
                         String disclosure, Boolean allowed, String rule, List<WithheldField> withheld, String requestId,
                         String outcome, Batch batch) {

    public static final int VERSION = 1;

    public record WithheldField(String platform, String field, String category, String reason) {
    }

    public record Batch(int items, int accepted, int rejected, List<String> subjectHmacs) {
        public Batch {
            subjectHmacs = List.copyOf(subjectHmacs);
        }
    }

    public AuditEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(outcome, "outcome");
        categoriesRequested = categoriesRequested == null ? List.of() : categoriesRequested.stream().sorted().distinct().toList();
        categoriesServed = categoriesServed == null ? List.of() : categoriesServed.stream().sorted().distinct().toList();
        withheld = withheld == null ? List.of() : List.copyOf(withheld);
    }

    /**
     * The entry's canonical JSON: members in sorted key order, null members left out (what {@link CanonicalJson#write}
     * makes of the same fields as a map), written straight to UTF-8 because every request builds one on its event loop.
     */
    public byte[] toBytes() {
        CanonicalJson.Utf8Writer w = new CanonicalJson.Utf8Writer().beginObject();
        if (batch != null) {
            w.key("batch").beginObject()
                    .member("accepted", batch.accepted())
                    .member("items", batch.items())
                    .member("rejected", batch.rejected())
                    .member("subjects", batch.subjectHmacs())
                    .endObject();
        }
        w.member("categoriesRequested", categoriesRequested)
                .member("categoriesServed", categoriesServed)
                .member("decision", allowed == null ? null : allowed ? "ALLOW" : "DENY")
                .member("disclosure", disclosure)
                .member("member", member)
                .member("method", method)
                .member("outcome", outcome)
                .member("purpose", purpose)
                .member("requestId", requestId)
                .member("role", role)
                .member("rule", rule)
                .member("service", service);
        if (subject != null) {
            w.key("subject").beginObject().member("hmac", subject.hmac()).member("masked", subject.masked()).endObject();
        }
        w.member("time", time.toString()).member("v", VERSION).key("withheld").beginArray();
        for (WithheldField f : withheld) {
            w.beginObject()
                    .member("category", f.category())
                    .member("field", f.field())
                    .member("platform", f.platform())
                    .member("reason", f.reason())
                    .endObject();
        }
        return w.endArray().endObject().toBytes();
    }

    /** Reads an entry back from its log bytes. */
    @SuppressWarnings("unchecked")
    public static AuditEntry fromBytes(byte[] bytes) {
        Map<String, Object> m = (Map<String, Object>) CanonicalJson.read(new String(bytes, StandardCharsets.UTF_8));
        Map<String, Object> s = (Map<String, Object>) m.get("subject");
        Map<String, Object> b = (Map<String, Object>) m.get("batch");
        List<WithheldField> withheld = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("withheld", List.of())) {
            Map<String, Object> x = (Map<String, Object>) o;
            withheld.add(new WithheldField((String) x.get("platform"), (String) x.get("field"), (String) x.get("category"), (String) x.get("reason")));
        }
        Object decision = m.get("decision");
        return new AuditEntry(Instant.parse((String) m.get("time")), (String) m.get("member"), (String) m.get("role"),
                (String) m.get("service"), (String) m.get("method"), (String) m.get("purpose"),
                s == null ? null : new SubjectHasher.SubjectRef((String) s.get("hmac"), (String) s.get("masked")),
                (List<String>) m.get("categoriesRequested"), (List<String>) m.get("categoriesServed"),
                (String) m.get("disclosure"), decision == null ? null : "ALLOW".equals(decision), (String) m.get("rule"),
                withheld, (String) m.get("requestId"), (String) m.get("outcome"),
                b == null ? null : new Batch(((Long) b.get("items")).intValue(), ((Long) b.get("accepted")).intValue(),
                        ((Long) b.get("rejected")).intValue(), (List<String>) b.get("subjects")));
    }

    /** Builds an entry; created by {@link AuditRecorder#entry}, which supplies the time and the subject hasher. */
    public static final class Builder {
        private final SubjectHasher hasher;
        private final Instant time;
        private final String service;
        private final String method;
        private String member;
        private String role;
        private String purpose;
        private SubjectHasher.SubjectRef subject;
        private List<String> requested;
        private List<String> served;
        private String disclosure;
        private Boolean allowed;
        private String rule;
        private final List<WithheldField> withheld = new ArrayList<>();
        private String requestId;
        private Batch batch;

        Builder(SubjectHasher hasher, Instant time, String service, String method) {
            this.hasher = hasher;
            this.time = time;
            this.service = service;
            this.method = method;
        }

        public Builder caller(String member, String role) {
            this.member = member;
            this.role = role;
            return this;
        }

        public Builder purpose(String purpose) {
            this.purpose = purpose;
            return this;
        }

        /** The raw identifier is hashed and masked here and not kept. */
        public Builder subject(String identifier) {
            this.subject = identifier == null || identifier.isBlank() ? null : hasher.of(identifier);
            return this;
        }

        public Builder categoriesRequested(Collection<String> categories) {
            this.requested = List.copyOf(categories);
            return this;
        }

        public Builder categoriesServed(Collection<String> categories) {
            this.served = List.copyOf(categories);
            return this;
        }

        public Builder decision(Decision d) {
            this.allowed = d.allowed();
            this.rule = d.rule();
            if (d.disclosure() != null) {
                this.disclosure = d.disclosure().name();
            }
            if (d.allowed() && served == null) {
                this.served = List.copyOf(d.grantedCategories());
            }
            return this;
        }

        public Builder disclosure(String disclosure) {
            this.disclosure = disclosure;
            return this;
        }

        public Builder withheld(String platform, String field, String category, String reason) {
            this.withheld.add(new WithheldField(platform, field, category, reason));
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /** A submission batch: counts and every item's subject, hashed here. */
        public Builder batch(int accepted, int rejected, List<String> itemIdentifiers) {
            this.batch = new Batch(accepted + rejected, accepted, rejected, itemIdentifiers.stream().map(hasher::hmac).toList());
            return this;
        }

        public AuditEntry outcome(String status) {
            return new AuditEntry(time, member == null ? "" : member, role, service, method, purpose, subject, requested, served,
                    disclosure, allowed, rule, withheld, requestId, status, batch);
        }
    }
}
