package cxg.gateway.audit;

import cxg.gateway.policy.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
        categoriesRequested = sortedDistinct(categoriesRequested);
        categoriesServed = sortedDistinct(categoriesServed);
        withheld = withheld == null ? List.of() : List.copyOf(withheld);
    }

    /** Sorted and distinct, without a stream for the usual handful of categories (nulls: as a stream sorts them). */
    private static List<String> sortedDistinct(List<String> categories) {
        if (categories == null || categories.isEmpty()) {
            return List.of();
        }
        String[] a = new String[categories.size()];
        boolean sorted = true;
        for (int i = 0; i < a.length; i++) {
            String c = categories.get(i);
            if (c == null) {
                return categories.stream().sorted().distinct().toList();
            }
            sorted &= i == 0 || a[i - 1].compareTo(c) < 0;
            a[i] = c;
        }
        if (sorted) {
            return List.of(a);
        }
        Arrays.sort(a);
        int n = 1;
        for (int i = 1; i < a.length; i++) {
            if (!a[i].equals(a[n - 1])) {
                a[n++] = a[i];
            }
        }
        return List.of(n == a.length ? a : Arrays.copyOf(a, n));
    }

    private static final byte[] ACCEPTED = CanonicalJson.Utf8Writer.key("accepted");
    private static final byte[] BATCH = CanonicalJson.Utf8Writer.key("batch");
    private static final byte[] CATEGORY = CanonicalJson.Utf8Writer.key("category");
    private static final byte[] CATEGORIES_REQUESTED = CanonicalJson.Utf8Writer.key("categoriesRequested");
    private static final byte[] CATEGORIES_SERVED = CanonicalJson.Utf8Writer.key("categoriesServed");
    private static final byte[] DECISION = CanonicalJson.Utf8Writer.key("decision");
    private static final byte[] DISCLOSURE = CanonicalJson.Utf8Writer.key("disclosure");
    private static final byte[] FIELD = CanonicalJson.Utf8Writer.key("field");
    private static final byte[] HMAC = CanonicalJson.Utf8Writer.key("hmac");
    private static final byte[] ITEMS = CanonicalJson.Utf8Writer.key("items");
    private static final byte[] MASKED = CanonicalJson.Utf8Writer.key("masked");
    private static final byte[] MEMBER = CanonicalJson.Utf8Writer.key("member");
    private static final byte[] METHOD = CanonicalJson.Utf8Writer.key("method");
    private static final byte[] OUTCOME = CanonicalJson.Utf8Writer.key("outcome");
    private static final byte[] PLATFORM = CanonicalJson.Utf8Writer.key("platform");
    private static final byte[] PURPOSE = CanonicalJson.Utf8Writer.key("purpose");
    private static final byte[] REASON = CanonicalJson.Utf8Writer.key("reason");
    private static final byte[] REJECTED = CanonicalJson.Utf8Writer.key("rejected");
    private static final byte[] REQUEST_ID = CanonicalJson.Utf8Writer.key("requestId");
    private static final byte[] ROLE = CanonicalJson.Utf8Writer.key("role");
    private static final byte[] RULE = CanonicalJson.Utf8Writer.key("rule");
    private static final byte[] SERVICE = CanonicalJson.Utf8Writer.key("service");
    private static final byte[] SUBJECT = CanonicalJson.Utf8Writer.key("subject");
    private static final byte[] SUBJECTS = CanonicalJson.Utf8Writer.key("subjects");
    private static final byte[] TIME = CanonicalJson.Utf8Writer.key("time");
    private static final byte[] V = CanonicalJson.Utf8Writer.key("v");
    private static final byte[] WITHHELD = CanonicalJson.Utf8Writer.key("withheld");

    /** One writer per thread: entries are built on the few event-loop threads, and toBytes copies its result out. */
    private static final ThreadLocal<CanonicalJson.Utf8Writer> WRITER = ThreadLocal.withInitial(CanonicalJson.Utf8Writer::new);

    /**
     * The entry's canonical JSON: members in sorted key order, null members left out (what {@link CanonicalJson#write}
     * makes of the same fields as a map, with the time as {@link Instant#toString()}), written straight to UTF-8 because
     * every request builds one on its event loop.
     */
    public byte[] toBytes() {
        CanonicalJson.Utf8Writer w = WRITER.get().reset().beginObject();
        if (batch != null) {
            w.key(BATCH).beginObject()
                    .member(ACCEPTED, batch.accepted())
                    .member(ITEMS, batch.items())
                    .member(REJECTED, batch.rejected())
                    .member(SUBJECTS, batch.subjectHmacs())
                    .endObject();
        }
        w.member(CATEGORIES_REQUESTED, categoriesRequested)
                .member(CATEGORIES_SERVED, categoriesServed)
                .member(DECISION, allowed == null ? null : allowed ? "ALLOW" : "DENY")
                .member(DISCLOSURE, disclosure)
                .member(MEMBER, member)
                .member(METHOD, method)
                .member(OUTCOME, outcome)
                .member(PURPOSE, purpose)
                .member(REQUEST_ID, requestId)
                .member(ROLE, role)
                .member(RULE, rule)
                .member(SERVICE, service);
        if (subject != null) {
            w.key(SUBJECT).beginObject().member(HMAC, subject.hmac()).member(MASKED, subject.masked()).endObject();
        }
        w.key(TIME).instant(time).member(V, VERSION).key(WITHHELD).beginArray();
        for (WithheldField f : withheld) {
            w.beginObject()
                    .member(CATEGORY, f.category())
                    .member(FIELD, f.field())
                    .member(PLATFORM, f.platform())
                    .member(REASON, f.reason())
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
        /** As given: the entry's constructor makes its own sorted, distinct copy (one copy per entry, not two). */
        private Collection<String> requested;
        private Collection<String> served;
        private String disclosure;
        private Boolean allowed;
        private String rule;
        /** Made on the first withheld field: most entries have none. */
        private List<WithheldField> withheld;
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
            this.requested = categories;
            return this;
        }

        public Builder categoriesServed(Collection<String> categories) {
            this.served = categories;
            return this;
        }

        public Builder decision(Decision d) {
            this.allowed = d.allowed();
            this.rule = d.rule();
            if (d.disclosure() != null) {
                this.disclosure = d.disclosure().name();
            }
            if (d.allowed() && served == null) {
                this.served = d.grantedCategories();
            }
            return this;
        }

        public Builder disclosure(String disclosure) {
            this.disclosure = disclosure;
            return this;
        }

        public Builder withheld(String platform, String field, String category, String reason) {
            if (withheld == null) {
                withheld = new ArrayList<>();
            }
            withheld.add(new WithheldField(platform, field, category, reason));
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
            return new AuditEntry(time, member == null ? "" : member, role, service, method, purpose, subject, list(requested),
                    list(served), disclosure, allowed, rule, withheld, requestId, status, batch);
        }

        private static List<String> list(Collection<String> categories) {
            return categories == null || categories instanceof List<String> ? (List<String>) categories : List.copyOf(categories);
        }
    }
}
