package cxg.gateway.query;

import cxg.gateway.fanout.PlatformAnswer;
import cxg.gateway.fanout.ScoreFanOut;
import cxg.gateway.fanout.ScorerEndpoints;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.IdentityMemo;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.Outcome;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformResult;
import cxg.v1.PlatformStatus;
import cxg.v1.PolicyDecision;
import cxg.v1.ScoreQuery;
import cxg.v1.ReportedScore;
import cxg.v1.ScoreReport;
import cxg.v1.ScorerRequest;
import cxg.v1.SubjectKind;
import cxg.v1.ValueSource;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The score query path: validate at the edge, ask policy once, fan out to the platforms,
 * present each answer through the {@link RatingPresenter} seam, and build the report.
 * Refusals come back as {@link Failure} values; the report always has one entry per platform.
 */
public final class ScoreQueries {

    private final PolicyRepository policies;
    private final QueryValidator validator;
    private final ScoreFanOut fanOut;
    private final ScorerEndpoints endpoints;
    private final RatingPresenter presenter;
    private final Clock clock;
    private final StoredRatings stored;
    private final Executor blocking;

    public ScoreQueries(PolicyRepository policies, QueryValidator validator, ScoreFanOut fanOut,
                        ScorerEndpoints endpoints, RatingPresenter presenter, Clock clock) {
        this(policies, validator, fanOut, endpoints, presenter, clock, StoredRatings.NONE, Runnable::run);
    }

    /**
     * With {@code stored}: a platform that cannot answer live is reported with its newest stored rating,
     * read on {@code blocking} (the fan-out's answers may arrive on an event loop, which a store read must not hold).
     */
    public ScoreQueries(PolicyRepository policies, QueryValidator validator, ScoreFanOut fanOut,
                        ScorerEndpoints endpoints, RatingPresenter presenter, Clock clock, StoredRatings stored,
                        Executor blocking) {
        this.stored = Objects.requireNonNull(stored);
        this.blocking = Objects.requireNonNull(blocking);
        this.policies = Objects.requireNonNull(policies);
        this.validator = Objects.requireNonNull(validator);
        this.fanOut = Objects.requireNonNull(fanOut);
        this.endpoints = Objects.requireNonNull(endpoints);
        this.presenter = Objects.requireNonNull(presenter);
        this.clock = Objects.requireNonNull(clock);
    }

    public CompletionStage<Outcome<ScoreReport>> query(Member caller, ScoreQuery query) {
        PolicySet policy = policies.current();
        Outcome<ValidatedQuery> validated = validator.validate(query, policy);
        if (!validated.isOk()) {
            return CompletableFuture.completedFuture(Outcome.fail(validated.failure()));
        }
        ValidatedQuery q = validated.value();
        Decision decision = policy.decide(caller, q.purpose(), q.categories(), q.disclosure().orElse(null));
        if (!decision.allowed()) {
            return CompletableFuture.completedFuture(Outcome.fail(refusal(decision)));
        }
        DecisionView view = views.get(decision);
        // the view's categories list is shared, not copied: a built message's list is immutable
        ScorerRequest.Builder asked = ScorerRequest.newBuilder(view.request())
                .setSubject(cxg.v1.SubjectId.newBuilder()
                        .setKind(q.subject().kind() == cxg.gateway.subject.SubjectId.Kind.RESIDENT_ID
                                ? SubjectKind.RESIDENT_ID : SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE)
                        .setValue(q.subject().value()))
                .setPurpose(q.purpose())
                .setRequestId(q.requestId());
        ScorerRequest request = asked.build();
        List<Member> platforms = policy.platforms();
        return fanOut.ask(endpoints.targets(platforms), request).thenCompose(answers -> {
            if (stored == StoredRatings.NONE || allRated(answers)) {
                return CompletableFuture.completedFuture(Outcome.ok(report(q, policy, view, platforms, answers)));
            }
            return CompletableFuture.supplyAsync(() -> Outcome.ok(report(q, policy, view, platforms, answers)), blocking);
        });
    }

    /**
     * What a report says of one decision, worked out once per decision: a policy set hands out the same allow
     * decision to every query of an agency that names no categories (see {@link PolicySet#decide}).
     *
     * @param message the report's decision; a message is immutable, so every report may carry the same one
     * @param request the scorer request's granted categories (and nothing else), which every request of the decision
     *                starts from: added one by one, they grew the builder's list per query
     */
    private record DecisionView(Decision decision, PolicyDecision message, ScorerRequest request) {
    }

    /** The views of recent decisions; a few slots, so that several agencies' decisions do not evict each other. */
    private final IdentityMemo<Decision, DecisionView> views = new IdentityMemo<>(8, ScoreQueries::viewOf);

    private static DecisionView viewOf(Decision decision) {
        List<ByteString> granted = utf8(sorted(decision.grantedCategories()));
        ScorerRequest.Builder request = ScorerRequest.newBuilder();
        for (ByteString category : granted) {
            request.addCategoriesBytes(category);
        }
        return new DecisionView(decision, decision(decision, granted), request.build());
    }

    /** The granted categories in order, without a stream pipeline per query. */
    private static List<String> sorted(Set<String> categories) {
        String[] a = categories.toArray(new String[0]);
        Arrays.sort(a);
        return List.of(a);
    }

    /**
     * Strings that go into every message of a decision, encoded once: a string field set from UTF-8 bytes is written by
     * copying them (protobuf keeps what it was given), where one set from a {@code String} is measured and encoded
     * again in every message that carries it.
     */
    static List<ByteString> utf8(List<String> strings) {
        ByteString[] out = new ByteString[strings.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ByteString.copyFromUtf8(strings.get(i));
        }
        return List.of(out);
    }

    private static boolean allRated(List<PlatformAnswer> answers) {
        for (PlatformAnswer a : answers) {
            if (a.rating().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** A denial, or a used-up quota (which the caller may retry later), as the failure the caller gets. */
    static Failure refusal(Decision decision) {
        return decision.outcome() == Decision.Outcome.QUOTA_EXCEEDED
                ? Failure.quotaExceeded(decision.rule(), decision.reason())
                : Failure.permissionDenied(decision.rule(), decision.reason());
    }

    private ScoreReport report(ValidatedQuery q, PolicySet policy, DecisionView decision, List<Member> platforms,
                               List<PlatformAnswer> answers) {
        ScoreReport.Builder report = ScoreReport.newBuilder()
                .setRequestId(q.requestId())
                .setDecision(decision.message());
        Instant now = clock.instant();
        Map<String, PlatformRating> held = null;
        for (PlatformAnswer answer : answers) {
            PlatformResult.Builder result = PlatformResult.newBuilder()
                    .setPlatform(answer.platform())
                    .setStatus(answer.status())
                    .setDetail(answer.detail())
                    .setLatencyMillis(answer.latencyMillis());
            Member platform = platform(platforms, answer.platform());
            if (answer.rating().isPresent()) {
                RatingPresenter.Presentation shown = presenter.present(policy, platform, answer.rating().get(),
                        decision.decision(), score -> finish(score, ValueSource.LIVE, now));
                result.setScore(shown.score());
                report.addAllWithheld(shown.withheld());
            } else {
                if (held == null) {
                    held = stored.newestByPlatform(q.subject(), now);
                }
                PlatformRating kept = held.get(answer.platform());
                if (kept != null) {
                    RatingPresenter.Presentation shown = presenter.present(policy, platform, kept, decision.decision(),
                            score -> finish(score, ValueSource.STORED, now));
                    result.setStatus(PlatformStatus.OK)
                            .setDetail("stored rating (live answer: " + answer.status() + ")")
                            .setScore(shown.score());
                    report.addAllWithheld(shown.withheld());
                }
            }
            report.addResults(result);
        }
        report.setAnsweredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
        return report.build();
    }

    private static Member platform(List<Member> platforms, String id) {
        for (Member m : platforms) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalStateException("an answer from " + id + ", which was not asked");
    }

    /** Where the value came from, and how old it is when the report is made: seconds since the platform computed it. */
    private static void finish(ReportedScore.Builder score, ValueSource source, Instant now) {
        score.setSource(source);
        if (score.hasComputedAt()) {
            score.setAgeSeconds(Math.max(0, now.getEpochSecond() - score.getComputedAt().getSeconds()));
        }
    }

    /**
     * The report's decision, its strings as UTF-8 (see {@link #utf8}): the same message is in every report of the
     * decision. Reading its strings through the {@code String} getters would turn them back into strings.
     *
     * @param granted the decision's granted categories, sorted
     */
    private static PolicyDecision decision(Decision decision, List<ByteString> granted) {
        PolicyDecision.Builder d = PolicyDecision.newBuilder()
                .setAllowed(decision.allowed())
                .setRuleBytes(ByteString.copyFromUtf8(decision.rule()))
                .setReasonBytes(ByteString.copyFromUtf8(decision.reason() == null ? "" : decision.reason()));
        for (ByteString category : granted) {
            d.addGrantedCategoriesBytes(category);
        }
        if (decision.disclosure() != null) {
            d.setDisclosure(cxg.v1.Disclosure.valueOf(decision.disclosure().name()));
        }
        return d.build();
    }
}
