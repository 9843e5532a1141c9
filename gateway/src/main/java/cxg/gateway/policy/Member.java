package cxg.gateway.policy;

import java.util.Objects;
import java.util.Optional;

/** A member of the exchange as written in {@code policies/members.yaml}. */
public final class Member {
    private final String id;
    private final MemberKind kind;
    private final String certificateSubject;
    private final String scorerEndpoint;
    private final String scaleId;
    private final String signingKey;

    private Member(String id, MemberKind kind, String certificateSubject, String scorerEndpoint, String scaleId,
                   String signingKey) {
        this.id = id;
        this.kind = kind;
        this.certificateSubject = certificateSubject;
        this.scorerEndpoint = scorerEndpoint;
        this.scaleId = scaleId;
        this.signingKey = signingKey;
    }

    public static Member of(String id, MemberKind kind, String certificateSubject, String scorerEndpoint, String scaleId) {
        return of(id, kind, certificateSubject, scorerEndpoint, scaleId, null);
    }

    /** @param signingKey a platform's Ed25519 submission key, base64 X.509 SubjectPublicKeyInfo, or null */
    public static Member of(String id, MemberKind kind, String certificateSubject, String scorerEndpoint, String scaleId,
                            String signingKey) {
        if (id == null || !id.matches("[a-z][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("member id must be lower-case letters, digits and '-': " + id);
        }
        Objects.requireNonNull(kind, "kind");
        if (certificateSubject == null || certificateSubject.isBlank()) {
            throw new IllegalArgumentException("certificateSubject is required for member " + id);
        }
        return new Member(id, kind, certificateSubject, scorerEndpoint, scaleId, signingKey);
    }

    public String id() { return id; }
    public MemberKind kind() { return kind; }
    public String certificateSubject() { return certificateSubject; }
    /** host:port of the platform's scorer connector; empty for agencies and auditors. */
    public Optional<String> scorerEndpoint() { return Optional.ofNullable(scorerEndpoint); }
    public Optional<String> scaleId() { return Optional.ofNullable(scaleId); }
    /** The platform's Ed25519 submission key (base64 X.509 SubjectPublicKeyInfo) from members.yaml, if any. */
    public Optional<String> signingKey() { return Optional.ofNullable(signingKey); }

    @Override public boolean equals(Object o) {
        return o instanceof Member m && m.id.equals(id) && m.kind == kind
                && m.certificateSubject.equals(certificateSubject)
                && Objects.equals(m.scorerEndpoint, scorerEndpoint) && Objects.equals(m.scaleId, scaleId)
                && Objects.equals(m.signingKey, signingKey);
    }
    @Override public int hashCode() { return id.hashCode(); }
    @Override public String toString() { return "Member[" + id + ", " + kind + "]"; }
}
