package cxg.gateway.policy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import cxg.gateway.policy.AnswerFilter;
import cxg.gateway.policy.Decision;
import cxg.gateway.policy.Disclosure;
import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyLoader;
import cxg.gateway.policy.PolicySet;
import cxg.gateway.policy.QuotaLimiter;
import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * Policy cost per request: one decision among 1,000 agreements plus filtering a 50-factor
 * answer at FULL disclosure (the most work: factors checked, kept and cleaned), next to the
 * baseline of one plaintext loopback gRPC unary call carrying the same answer, measured in
 * the same run. Not a test: run it as described in policies/README.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class PolicyBenchmark {
    static final int AGENCIES = 250;
    static final List<String> PURPOSES = List.of("court-enforcement", "travel-restriction-check", "loan-eligibility", "deposit-waiver");
    static final int FACTORS = 50;
    static final int UNSEEN = 1024;

    private PolicySet policy;
    private AnswerFilter filter;
    private Member[] callers;
    private PlatformRating answer;
    /** Answers whose factor codes and descriptions are all different: more texts than the filter remembers. */
    private PlatformRating[] unseen;
    private int next;

    private Server server;
    private ManagedChannel channel;
    private ScorerServiceGrpc.ScorerServiceBlockingStub stub;
    private ScorerRequest request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = Files.createTempDirectory("cxg-policy-bench");
        writePolicies(dir);
        policy = new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create()).load(dir).policySet()
                .orElseThrow(() -> new IllegalStateException(new PolicyLoader(Clock.systemUTC(), QuotaLimiter.create())
                        .load(dir).errors().toString()));
        if (policy.agreements().size() != AGENCIES * PURPOSES.size()) {
            throw new IllegalStateException("expected 1000 agreements");
        }
        filter = policy.answerFilter();
        callers = new Member[AGENCIES];
        for (int i = 0; i < AGENCIES; i++) {
            callers[i] = policy.member("agency-" + i).orElseThrow();
        }
        answer = answer();
        unseen = new PlatformRating[UNSEEN];
        for (int i = 0; i < UNSEEN; i++) {
            PlatformRating.Builder b = answer.toBuilder();
            for (int f = 0; f < FACTORS; f++) {
                Factor factor = b.getFactors(f);
                b.setFactors(f, factor.toBuilder().setCode(factor.getCode() + "-" + i)
                        .setDescription(factor.getDescription() + ", variant " + i));
            }
            unseen[i] = b.build();
        }

        ScorerResponse canned = ScorerResponse.newBuilder().setStatus(PlatformStatus.OK).setRating(answer).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ScorerServiceGrpc.ScorerServiceImplBase() {
                    @Override
                    public void getScore(ScorerRequest req, StreamObserver<ScorerResponse> out) {
                        out.onNext(canned);
                        out.onCompleted();
                    }
                }).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        stub = ScorerServiceGrpc.newBlockingStub(channel);
        request = ScorerRequest.newBuilder().setPurpose("court-enforcement").addCategories("FINANCIAL").setRequestId("bench").build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One request's policy work: decide, then filter one platform's 50-factor answer. */
    @Benchmark
    public AnswerFilter.Filtered decideAndFilter() {
        int i = next++ & 0x3ff;
        Decision d = policy.decide(callers[i % AGENCIES], PURPOSES.get(i / AGENCIES % PURPOSES.size()), Set.of(), Disclosure.FULL);
        if (!d.allowed()) {
            throw new IllegalStateException(d.reason());
        }
        return filter.filter("alpha-credit", answer, d);
    }

    /**
     * The same, but every answer's codes and descriptions are texts the filter has not seen
     * lately (51,200 of them), so no verdict is remembered: the cost for a platform whose
     * factor texts never repeat.
     */
    @Benchmark
    public AnswerFilter.Filtered decideAndFilterUnseenTexts() {
        int i = next++ & 0x3ff;
        Decision d = policy.decide(callers[i % AGENCIES], PURPOSES.get(i / AGENCIES % PURPOSES.size()), Set.of(), Disclosure.FULL);
        if (!d.allowed()) {
            throw new IllegalStateException(d.reason());
        }
        return filter.filter("alpha-credit", unseen[i % UNSEEN], d);
    }

    /** Decision alone. */
    @Benchmark
    public Decision decide() {
        int i = next++ & 0x3ff;
        return policy.decide(callers[i % AGENCIES], PURPOSES.get(i / AGENCIES % PURPOSES.size()), Set.of("FINANCIAL"), Disclosure.SCORE);
    }

    /** Baseline: one plaintext gRPC unary call over loopback returning the same answer. */
    @Benchmark
    public ScorerResponse grpcUnaryCall() {
        return stub.getScore(request);
    }

    static PlatformRating answer() {
        String[] categories = {"FINANCIAL", "JUDICIAL", "TAX", "ADMINISTRATIVE", "COMMERCIAL", "TRAFFIC", "SOCIAL_SECURITY",
            "VOLUNTEERING", "MEDICAL", "blood-type"};
        PlatformRating.Builder b = PlatformRating.newBuilder().setPlatform("alpha-credit").setValue(712).setScaleId("alpha-credit")
                .setTier("good").putAttributes("channel", "app").putAttributes("bloodType", "0+");
        for (int i = 0; i < FACTORS; i++) {
            Factor.Builder f = Factor.newBuilder().setCategory(categories[i % categories.length]).setCode("factor-code-" + i)
                    .setDirection(i % 2 == 0 ? FactorDirection.POSITIVE : FactorDirection.NEGATIVE)
                    .setDescription("repayment behaviour over the last twelve months, item " + i)
                    .putAttributes("months", "12").putAttributes(i % 7 == 0 ? "Fingerprint_Hash" : "amount_band", "x");
            b.addFactors(f);
        }
        return b.build();
    }

    static void writePolicies(Path dir) throws IOException {
        Path demo = demoDir();
        for (String f : List.of("categories.yaml", "purposes.yaml", "scales.yaml")) {
            Files.copy(demo.resolve(f), dir.resolve(f));
        }
        StringBuilder members = new StringBuilder("members:\n");
        for (int i = 0; i < AGENCIES; i++) {
            members.append("  - id: agency-").append(i).append("\n    kind: agency\n    certificateSubject: \"CN=agency-")
                    .append(i).append(",OU=agency,O=cxg-demo\"\n");
        }
        members.append("""
                  - id: alpha-credit
                    kind: platform
                    certificateSubject: "CN=alpha-credit,OU=platform,O=cxg-demo"
                    scorer: { endpoint: "127.0.0.1:7501" }
                    scale: alpha-credit
                """);
        Files.writeString(dir.resolve("members.yaml"), members);
        List<String> agreements = new ArrayList<>();
        agreements.add("agreements:");
        for (int i = 0; i < AGENCIES; i++) {
            for (String purpose : PURPOSES) {
                agreements.add("  - id: a" + i + "-" + purpose + "\n    member: agency-" + i + "\n    purpose: " + purpose
                        + "\n    categories: [FINANCIAL, JUDICIAL, COMMERCIAL, TAX, ADMINISTRATIVE]\n    disclosure: FULL"
                        + "\n    validFrom: 2026-01-01\n    validUntil: 2099-12-31\n    legalBasis: bench\n    quotaPerMinute: 1000000");
            }
        }
        Files.writeString(dir.resolve("agreements.yaml"), String.join("\n", agreements) + "\n");
    }

    static Path demoDir() {
        for (Path p : List.of(Path.of("policies"), Path.of("..", "policies"))) {
            if (Files.isRegularFile(p.resolve("members.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("run from the repository root or gateway/: policies/ not found");
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(PolicyBenchmark.class.getSimpleName()).build()).run();
    }
}
