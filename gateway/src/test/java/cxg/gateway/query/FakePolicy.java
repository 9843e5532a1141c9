package cxg.gateway.query;

import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import cxg.gateway.policy.PolicySet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A tiny policy for in-process tests: court may use court-enforcement for JUDICIAL and FINANCIAL at SCORE. */
final class FakePolicy implements PolicySet {

    static final Member COURT = Member.of("court", MemberKind.AGENCY, "CN=court,OU=agency,O=cxg-demo", null, null);
    static final Member RAILWAY = Member.of("railway", MemberKind.AGENCY, "CN=railway,OU=agency,O=cxg-demo", null, null);

    private final List<Member> platforms;

    FakePolicy(List<Member> platforms) {
        this.platforms = platforms;
    }

    static Member platform(String id, String endpoint) {
        return Member.of(id, MemberKind.PLATFORM, "CN=" + id + ",OU=platform,O=cxg-demo", endpoint, id);
    }

    @Override
    public Optional<Member> memberByCertificateSubject(String certificateSubject) {
        return List.of(COURT, RAILWAY).stream().filter(m -> m.certificateSubject().equals(certificateSubject)).findFirst();
    }

    @Override
    public Optional<Member> member(String id) {
        return List.of(COURT, RAILWAY).stream().filter(m -> m.id().equals(id)).findFirst();
    }

    @Override
    public List<Member> platforms() {
        return platforms;
    }

    @Override
    public boolean isKnownPurpose(String purpose) {
        return Set.of("court-enforcement", "loan-eligibility").contains(purpose);
    }

    @Override
    public boolean isKnownCategory(String category) {
        return Set.of("JUDICIAL", "FINANCIAL", "TAX").contains(category);
    }

    @Override
    public Decision decide(Member caller, String purpose, Set<String> categories, Disclosure disclosure) {
        if (!caller.equals(COURT) || !purpose.equals("court-enforcement")) {
            return Decision.deny("default-deny", "no agreement grants " + caller.id() + " purpose " + purpose);
        }
        if (!Set.of("JUDICIAL", "FINANCIAL").containsAll(categories)) {
            return Decision.deny("agreements.yaml#court-enforcement", "category not granted");
        }
        if (disclosure != null && !Disclosure.SCORE.includes(disclosure)) {
            return Decision.deny("agreements.yaml#court-enforcement", "disclosure above SCORE");
        }
        return Decision.allow("agreements.yaml#court-enforcement", "court enforcement",
                disclosure == null ? Disclosure.SCORE : disclosure,
                categories.isEmpty() ? Set.of("JUDICIAL", "FINANCIAL") : categories);
    }
}
