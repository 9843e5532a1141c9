package cxg.gateway.policy;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import cxg.gateway.policy.Decision.Outcome;

/** A validated policy set as loaded from a directory; immutable apart from the shared quota buckets. */
final class LoadedPolicySet implements PolicySet {
    static final String DEFAULT_DENY = "default-deny";
    private static final long DAY_MILLIS = 86_400_000L;

    private final List<Member> memberList;
    private final List<ScoreScaleDef> scaleList;
    private final Map<String, Member> members;
    private final Map<X500Principal, Member> bySubject;
    private final List<Member> platforms;
    private final Set<String> purposes;
    private final CategoryTaxonomy categories;
    private final Map<String, ScoreScaleDef> scales;
    private final List<Agreement> agreements;
    /** member id -> purpose -> agreements for that pair, disjoint in time, by start. */
    private final Map<String, Map<String, List<Grant>>> index;
    private final Clock clock;
    private final QuotaLimiter quotas;
    private final ProhibitedDataCheck prohibitedDataCheck;
    private final AnswerFilter answerFilter;
    private final Retention retention;

    LoadedPolicySet(List<Member> members, Set<String> purposes, CategoryTaxonomy categories, List<ScoreScaleDef> scales,
                    List<Agreement> agreements, Clock clock, QuotaLimiter quotas) {
        this(members, purposes, categories, scales, agreements, clock, quotas, Retention.DEFAULT);
    }

    LoadedPolicySet(List<Member> members, Set<String> purposes, CategoryTaxonomy categories, List<ScoreScaleDef> scales,
                    List<Agreement> agreements, Clock clock, QuotaLimiter quotas, Retention retention) {
        this.retention = retention;
        this.memberList = List.copyOf(members);
        this.scaleList = List.copyOf(scales);
        Map<String, Member> byId = new LinkedHashMap<>();
        Map<X500Principal, Member> bySubject = new HashMap<>();
        List<Member> platforms = new ArrayList<>();
        for (Member m : members) {
            byId.put(m.id(), m);
            bySubject.put(new X500Principal(m.certificateSubject()), m);
            if (m.kind() == MemberKind.PLATFORM && m.scorerEndpoint().isPresent()) {
                platforms.add(m);
            }
        }
        this.members = Collections.unmodifiableMap(byId);
        this.bySubject = Map.copyOf(bySubject);
        this.platforms = List.copyOf(platforms);
        this.purposes = Set.copyOf(purposes);
        this.categories = categories;
        Map<String, ScoreScaleDef> scaleMap = new HashMap<>();
        scales.forEach(s -> scaleMap.put(s.id(), s));
        this.scales = Map.copyOf(scaleMap);
        this.agreements = List.copyOf(agreements);
        Map<String, Map<String, List<Grant>>> index = new HashMap<>();
        for (Agreement a : agreements) {
            index.computeIfAbsent(a.member(), k -> new HashMap<>()).computeIfAbsent(a.purpose(), k -> new ArrayList<>())
                    .add(new Grant(a));
        }
        index.values().forEach(byPurpose -> byPurpose.replaceAll((p, list) -> list.stream()
                .sorted((x, y) -> x.agreement.validFrom().compareTo(y.agreement.validFrom())).toList()));
        this.index = index;
        this.clock = clock;
        this.quotas = quotas;
        this.prohibitedDataCheck = new ProhibitedDataCheck(categories);
        this.answerFilter = new AnswerFilter(this);
    }

    /** The same set judging time by another clock (tests of validity periods). */
    LoadedPolicySet withClock(Clock other) {
        return new LoadedPolicySet(memberList, purposes, categories, scaleList, agreements, other, quotas, retention);
    }

    @Override
    public Optional<Member> memberByCertificateSubject(String certificateSubject) {
        if (certificateSubject == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(bySubject.get(new X500Principal(certificateSubject)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Member> member(String id) {
        return Optional.ofNullable(id == null ? null : members.get(id));
    }

    @Override
    public List<Member> members() {
        return memberList;
    }

    @Override
    public List<Member> platforms() {
        return platforms;
    }

    @Override
    public boolean isKnownPurpose(String purpose) {
        return purposes.contains(purpose);
    }

    @Override
    public boolean isKnownCategory(String category) {
        return categories.isKnown(category);
    }

    @Override
    public Decision decide(Member caller, String purpose, Set<String> requested, Disclosure disclosure) {
        Member member = caller == null ? null : members.get(caller.id());
        if (member == null) {
            return Decision.deny(Outcome.UNKNOWN_MEMBER, "members.yaml", "caller is not a member");
        }
        if (!purposes.contains(purpose)) {
            return Decision.deny(Outcome.UNKNOWN_PURPOSE, "purposes.yaml", "unknown purpose '" + purpose + "'");
        }
        Set<String> asked = requested == null ? Set.of() : requested;
        for (String c : asked) {
            if (categories.isProhibited(c)) {
                return Decision.deny(Outcome.PROHIBITED_CATEGORY, "categories.yaml#prohibited",
                        "category " + c + " is prohibited and can never be granted");
            }
            if (!categories.isKnown(c)) {
                return Decision.deny(Outcome.UNKNOWN_CATEGORY, "categories.yaml", "unknown category '" + c + "'");
            }
        }
        List<Grant> candidates = index.getOrDefault(member.id(), Map.of()).getOrDefault(purpose, List.of());
        if (candidates.isEmpty()) {
            return Decision.deny(Outcome.PURPOSE_NOT_GRANTED, DEFAULT_DENY,
                    "no agreement grants purpose " + purpose + " to member " + member.id());
        }
        // the UTC day, as LocalDate.ofInstant(clock.instant(), UTC) would give it, without making either
        long today = Math.floorDiv(clock.millis(), DAY_MILLIS);
        Grant grant = null;
        for (Grant g : candidates) {
            if (g.firstDay <= today && today <= g.lastDay) {
                grant = g;
                break;
            }
        }
        if (grant == null) {
            Agreement nearest = nearest(candidates, LocalDate.ofEpochDay(today));
            return Decision.deny(Outcome.OUTSIDE_VALIDITY, nearest.rule(), "agreement " + nearest.id() + " is valid from "
                    + nearest.validFrom() + " to " + nearest.validUntil() + ", not on " + LocalDate.ofEpochDay(today));
        }
        Agreement agreement = grant.agreement;
        for (String c : asked) {
            if (!agreement.categories().contains(c)) {
                return Decision.deny(Outcome.CATEGORY_NOT_GRANTED, agreement.rule(),
                        "agreement " + agreement.id() + " does not grant category " + c);
            }
        }
        Disclosure granted = disclosure == null ? agreement.disclosure() : disclosure;
        if (!agreement.disclosure().includes(granted)) {
            return Decision.deny(Outcome.DISCLOSURE_NOT_GRANTED, agreement.rule(), "agreement " + agreement.id()
                    + " grants disclosure up to " + agreement.disclosure() + ", not " + granted);
        }
        if (!quotas.tryAcquire(agreement.id(), agreement.quotaPerMinute())) {
            return Decision.deny(Outcome.QUOTA_EXCEEDED, agreement.rule(), "agreement " + agreement.id()
                    + " allows " + agreement.quotaPerMinute() + " queries per minute; quota used up");
        }
        return asked.isEmpty() ? grant.allowsAll(granted) : Decision.allow(grant.rule, grant.reason, granted, asked);
    }

    /**
     * An agreement as {@link #decide} uses it on every query, with what does not depend on the query worked
     * out once: its rule, the reason of its allow decisions, its first and last UTC day (as epoch days), and
     * its allow decisions for all its categories (a query that names none), one per disclosure, made on first use.
     */
    private static final class Grant {
        final Agreement agreement;
        final String rule;
        final String reason;
        final long firstDay;
        final long lastDay;
        /** By disclosure ordinal; a decision is immutable, so racing first uses just make equal ones. */
        private final Decision[] allowsAll = new Decision[Disclosure.values().length];

        Grant(Agreement agreement) {
            this.agreement = agreement;
            this.rule = agreement.rule();
            // the agreement's member is the caller whose decision cites it
            this.reason = "agreement " + agreement.id() + " grants " + agreement.purpose() + " to " + agreement.member()
                    + " (" + agreement.legalBasis() + ")";
            this.firstDay = agreement.validFrom().toEpochDay();
            this.lastDay = agreement.validUntil().toEpochDay();
        }

        Decision allowsAll(Disclosure disclosure) {
            Decision d = allowsAll[disclosure.ordinal()];
            if (d == null) {
                d = Decision.allow(rule, reason, disclosure, agreement.categories());
                allowsAll[disclosure.ordinal()] = d;
            }
            return d;
        }
    }

    /** The agreement that expired last before {@code today}, else the next one to start. */
    private static Agreement nearest(List<Grant> candidates, LocalDate today) {
        Agreement past = null;
        Agreement future = null;
        for (Grant g : candidates) {
            Agreement a = g.agreement;
            if (a.validUntil().isBefore(today)) {
                past = a;
            } else if (future == null) {
                future = a;
            }
        }
        return past != null ? past : future;
    }

    @Override
    public AnswerFilter answerFilter() {
        return answerFilter;
    }

    @Override
    public ProhibitedDataCheck prohibitedDataCheck() {
        return prohibitedDataCheck;
    }

    @Override
    public CategoryTaxonomy categories() {
        return categories;
    }

    @Override
    public Optional<ScoreScaleDef> scale(String id) {
        return Optional.ofNullable(id == null ? null : scales.get(id));
    }

    @Override
    public List<Agreement> agreements() {
        return agreements;
    }

    @Override
    public Retention retention() {
        return retention;
    }
}
