package cxg.gateway.audit;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import cxg.gateway.subject.SubjectId;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.AuditBatch;
import cxg.v1.AuditCheckpoint;
import cxg.v1.AuditDecision;
import cxg.v1.AuditFilter;
import cxg.v1.AuditRecord;
import cxg.v1.ConsistencyProof;
import cxg.v1.ExportRequest;
import cxg.v1.ExportResponse;
import cxg.v1.InclusionProof;
import cxg.v1.ListEntriesRequest;
import cxg.v1.ListEntriesResponse;
import cxg.v1.SubjectReportRequest;
import cxg.v1.SubjectReportResponse;
import cxg.v1.Withheld;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads the audit log for the audit service. An auditor reads every entry; an agency only the
 * entries whose member is itself; a platform none. Scans run oldest first in bundle-sized reads.
 * Blocking (tile and database reads): call it from a worker thread.
 */
public final class AuditReader {

    static final String OWN_ENTRIES_RULE = "audit-own-entries";
    static final String ROLE_RULE = "role-separation";
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    /** One page scans at most this many entries, then hands back a token to go on from. */
    static final int SCAN_BUDGET = 100_000;
    /** An export answers at most this many entries; a filter matching more must be narrowed. */
    static final int MAX_EXPORT = 20_000;
    private static final Duration SIGN_TIMEOUT = Duration.ofSeconds(10);

    private final AuditLog log;
    private final SubjectHasher subjects;

    public AuditReader(AuditLog log, SubjectHasher subjects) {
        this.log = log;
        this.subjects = subjects;
    }

    /** What a caller may read: every entry (empty), or only one member's; a failure if nothing. */
    static Outcome<Optional<String>> scope(Member caller, String requestedMember, String field) {
        if (caller.kind() == MemberKind.AUDITOR) {
            return Outcome.ok(requestedMember.isEmpty() ? Optional.empty() : Optional.of(requestedMember));
        }
        if (caller.kind() == MemberKind.AGENCY) {
            if (!requestedMember.isEmpty() && !requestedMember.equals(caller.id())) {
                return Outcome.fail(Failure.permissionDenied(OWN_ENTRIES_RULE, field + ": an agency reads only its own audit entries; "
                        + caller.id() + " asked for those of " + printable(requestedMember)));
            }
            return Outcome.ok(Optional.of(caller.id()));
        }
        return Outcome.fail(Failure.permissionDenied(ROLE_RULE, "only auditors and agencies read the audit log; "
                + caller.id() + " is a " + caller.kind().name().toLowerCase(java.util.Locale.ROOT)));
    }

    public Outcome<ListEntriesResponse> list(Member caller, ListEntriesRequest request) {
        Outcome<Predicate<AuditEntry>> filter = filter(caller, request.getFilter(), "filter.");
        if (!filter.isOk()) {
            return Outcome.fail(filter.failure());
        }
        int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE : request.getPageSize();
        if (pageSize < 0 || pageSize > MAX_PAGE) {
            return Outcome.fail(Failure.invalidArgument("page_size", "must be between 1 and " + MAX_PAGE));
        }
        long size = log.size();
        long from = 0;
        if (!request.getPageToken().isEmpty()) {
            try {
                from = Long.parseLong(request.getPageToken());
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > size) {
                return Outcome.fail(Failure.invalidArgument("page_token", "is not a token this service gave"));
            }
        }
        ListEntriesResponse.Builder out = ListEntriesResponse.newBuilder().setTreeSize(size);
        long limit = Math.min(size, from + SCAN_BUDGET);
        long i = from;
        while (i < limit && out.getEntriesCount() < pageSize) {
            List<byte[]> chunk = log.entries(i, Math.min(limit, (i / Tiles.WIDTH + 1) * Tiles.WIDTH));
            for (byte[] data : chunk) {
                AuditEntry e = AuditEntry.fromBytes(data);
                if (out.getEntriesCount() < pageSize && filter.value().test(e)) {
                    out.addEntries(record(i, e, data));
                }
                i++;
                if (out.getEntriesCount() == pageSize) {
                    break;
                }
            }
        }
        if (i < size) {
            out.setNextPageToken(Long.toString(i));
        }
        return Outcome.ok(out.build());
    }

    public Outcome<SubjectReportResponse> subjectReport(Member caller, SubjectReportRequest request) {
        Outcome<Optional<String>> scope = scope(caller, "", "member");
        if (!scope.isOk()) {
            return Outcome.fail(scope.failure());
        }
        if (!request.hasSubject()) {
            return Outcome.fail(Failure.invalidArgument("subject", "is required"));
        }
        Outcome<String> hmac = subjectHmac(request.getSubject(), "subject.");
        if (!hmac.isOk()) {
            return Outcome.fail(hmac.failure());
        }
        Outcome<Predicate<AuditEntry>> time = timeRange(request.hasSince() ? request.getSince() : null,
                request.hasUntil() ? request.getUntil() : null, "");
        if (!time.isOk()) {
            return Outcome.fail(time.failure());
        }
        Predicate<AuditEntry> match = about(hmac.value()).and(time.value()).and(memberIs(scope.value()));
        long size = log.size();
        SubjectReportResponse.Builder out = SubjectReportResponse.newBuilder()
                .setSubjectMasked(SubjectHasher.mask(request.getSubject().getValue())).setTreeSize(size);
        scan(size, match, (index, e, data) -> out.addAccesses(record(index, e, data)));
        return Outcome.ok(out.build());
    }

    public Outcome<ExportResponse> export(Member caller, ExportRequest request) {
        Outcome<Predicate<AuditEntry>> filter = filter(caller, request.getFilter(), "filter.");
        if (!filter.isOk()) {
            return Outcome.fail(filter.failure());
        }
        SignedCheckpoint cp = log.latestCheckpoint();
        if (cp.size() < log.size()) {
            cp = log.checkpoint().toCompletableFuture().orTimeout(SIGN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
        }
        long n = cp.size();
        List<Long> trusted = request.getTrustedSizesList();
        for (int k = 0; k < trusted.size(); k++) {
            if (trusted.get(k) < 1 || trusted.get(k) > log.size()) {
                return Outcome.fail(Failure.invalidArgument("trusted_sizes[" + k + "]", "must be between 1 and the log's size " + log.size()));
            }
        }
        ExportResponse.Builder out = ExportResponse.newBuilder().setCheckpoint(checkpoint(cp));
        List<long[]> selected = new ArrayList<>();
        List<byte[]> datas = new ArrayList<>();
        scan(n, filter.value(), (index, e, data) -> {
            selected.add(new long[] {index});
            datas.add(data);
        });
        if (selected.size() > MAX_EXPORT) {
            return Outcome.fail(Failure.invalidArgument("filter", "matches " + selected.size() + " entries, more than the "
                    + MAX_EXPORT + " one export holds; narrow it (since/until, member, subject)"));
        }
        for (int k = 0; k < selected.size(); k++) {
            long index = selected.get(k)[0];
            out.addEntries(InclusionProof.newBuilder().setIndex(index).setData(ByteString.copyFrom(datas.get(k)))
                    .addAllProof(log.inclusionProof(index, n).stream().map(ByteString::copyFrom).toList()));
        }
        for (long m : trusted) {
            if (m == n) {
                continue;
            }
            long lo = Math.min(m, n);
            long hi = Math.max(m, n);
            out.addConsistency(ConsistencyProof.newBuilder().setFromSize(lo).setToSize(hi)
                    .addAllProof(log.consistencyProof(lo, hi).stream().map(ByteString::copyFrom).toList()));
        }
        return Outcome.ok(out.build());
    }

    public Outcome<AuditCheckpoint> checkpoint(Member caller, boolean signNow) {
        Outcome<Optional<String>> scope = scope(caller, "", "member");
        if (!scope.isOk()) {
            return Outcome.fail(scope.failure());
        }
        SignedCheckpoint cp = signNow
                ? log.checkpoint().toCompletableFuture().orTimeout(SIGN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join()
                : log.latestCheckpoint();
        return Outcome.ok(checkpoint(cp));
    }

    private AuditCheckpoint checkpoint(SignedCheckpoint cp) {
        return AuditCheckpoint.newBuilder().setNote(cp.note()).setTreeSize(cp.size()).setRootHash(ByteString.copyFrom(cp.rootHash()))
                .setSignedAt(timestamp(cp.signedAt())).setOrigin(log.origin()).setVerifierKey(log.verifierKey()).build();
    }

    private interface Visitor {
        void visit(long index, AuditEntry entry, byte[] data);
    }

    private void scan(long size, Predicate<AuditEntry> match, Visitor visitor) {
        for (long from = 0; from < size; from += Tiles.WIDTH) {
            List<byte[]> chunk = log.entries(from, Math.min(size, from + Tiles.WIDTH));
            for (int k = 0; k < chunk.size(); k++) {
                AuditEntry e = AuditEntry.fromBytes(chunk.get(k));
                if (match.test(e)) {
                    visitor.visit(from + k, e, chunk.get(k));
                }
            }
        }
    }

    private Outcome<Predicate<AuditEntry>> filter(Member caller, AuditFilter f, String prefix) {
        Outcome<Optional<String>> scope = scope(caller, f.getMember(), prefix + "member");
        if (!scope.isOk()) {
            return Outcome.fail(scope.failure());
        }
        Predicate<AuditEntry> p = memberIs(scope.value());
        if (f.hasSubject()) {
            Outcome<String> hmac = subjectHmac(f.getSubject(), prefix + "subject.");
            if (!hmac.isOk()) {
                return Outcome.fail(hmac.failure());
            }
            p = p.and(about(hmac.value()));
        }
        if (!f.getPurpose().isEmpty()) {
            String purpose = f.getPurpose();
            p = p.and(e -> purpose.equals(e.purpose()));
        }
        if (f.getDecision() == AuditDecision.ALLOW || f.getDecision() == AuditDecision.DENY) {
            boolean allowed = f.getDecision() == AuditDecision.ALLOW;
            p = p.and(e -> e.allowed() != null && e.allowed() == allowed);
        } else if (f.getDecision() != AuditDecision.AUDIT_DECISION_UNSPECIFIED) {
            return Outcome.fail(Failure.invalidArgument(prefix + "decision", "must be ALLOW or DENY"));
        }
        Outcome<Predicate<AuditEntry>> time = timeRange(f.hasSince() ? f.getSince() : null, f.hasUntil() ? f.getUntil() : null, prefix);
        if (!time.isOk()) {
            return time;
        }
        return Outcome.ok(p.and(time.value()));
    }

    private static Predicate<AuditEntry> memberIs(Optional<String> member) {
        return member.<Predicate<AuditEntry>>map(m -> e -> m.equals(e.member())).orElse(e -> true);
    }

    private static Predicate<AuditEntry> about(String hmac) {
        return e -> (e.subject() != null && hmac.equals(e.subject().hmac()))
                || (e.batch() != null && e.batch().subjectHmacs().contains(hmac));
    }

    private static Outcome<Predicate<AuditEntry>> timeRange(Timestamp since, Timestamp until, String prefix) {
        Instant from = since == null ? null : Instant.ofEpochSecond(since.getSeconds(), since.getNanos());
        Instant to = until == null ? null : Instant.ofEpochSecond(until.getSeconds(), until.getNanos());
        if (from != null && to != null && !to.isAfter(from)) {
            return Outcome.fail(Failure.invalidArgument(prefix + "until", "must be after since"));
        }
        return Outcome.ok(e -> (from == null || !e.time().isBefore(from)) && (to == null || e.time().isBefore(to)));
    }

    /** The subject's HMAC; an unspecified kind accepts an identifier valid as either kind. */
    private Outcome<String> subjectHmac(cxg.v1.SubjectId subject, String prefix) {
        String value = subject.getValue();
        Optional<String> problem = switch (subject.getKind()) {
            case RESIDENT_ID -> SubjectId.problem(SubjectId.Kind.RESIDENT_ID, value);
            case UNIFIED_SOCIAL_CREDIT_CODE -> SubjectId.problem(SubjectId.Kind.UNIFIED_SOCIAL_CREDIT_CODE, value);
            default -> SubjectId.problem(SubjectId.Kind.RESIDENT_ID, value).isEmpty() ? Optional.empty()
                    : SubjectId.problem(SubjectId.Kind.UNIFIED_SOCIAL_CREDIT_CODE, value);
        };
        if (problem.isPresent()) {
            return Outcome.fail(Failure.invalidArgument(prefix + "value", problem.get()));
        }
        return Outcome.ok(subjects.hmac(value));
    }

    static AuditRecord record(long index, AuditEntry e, byte[] data) {
        AuditRecord.Builder r = AuditRecord.newBuilder()
                .setIndex(index)
                .setTime(timestamp(e.time()))
                .setMember(e.member())
                .setService(e.service())
                .setMethod(e.method())
                .addAllCategoriesRequested(e.categoriesRequested())
                .addAllCategoriesServed(e.categoriesServed())
                .setOutcome(e.outcome())
                .setData(ByteString.copyFrom(data));
        Optional.ofNullable(e.role()).ifPresent(r::setRole);
        Optional.ofNullable(e.purpose()).ifPresent(r::setPurpose);
        Optional.ofNullable(e.rule()).ifPresent(r::setRule);
        Optional.ofNullable(e.requestId()).ifPresent(r::setRequestId);
        if (e.subject() != null) {
            r.setSubjectHmac(e.subject().hmac()).setSubjectMasked(e.subject().masked());
        }
        if (e.disclosure() != null) {
            try {
                r.setDisclosure(cxg.v1.Disclosure.valueOf(e.disclosure()));
            } catch (IllegalArgumentException unknown) {
                r.setDisclosure(cxg.v1.Disclosure.DISCLOSURE_UNSPECIFIED);
            }
        }
        if (e.allowed() != null) {
            r.setDecision(e.allowed() ? AuditDecision.ALLOW : AuditDecision.DENY);
        }
        for (AuditEntry.WithheldField w : e.withheld()) {
            Withheld.Builder wb = Withheld.newBuilder();
            Optional.ofNullable(w.platform()).ifPresent(wb::setPlatform);
            Optional.ofNullable(w.field()).ifPresent(wb::setField);
            Optional.ofNullable(w.category()).ifPresent(wb::setCategory);
            Optional.ofNullable(w.reason()).ifPresent(wb::setReason);
            r.addWithheld(wb);
        }
        if (e.batch() != null) {
            r.setBatch(AuditBatch.newBuilder().setItems(e.batch().items()).setAccepted(e.batch().accepted())
                    .setRejected(e.batch().rejected()).addAllSubjectHmacs(e.batch().subjectHmacs()));
        }
        return r.build();
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
