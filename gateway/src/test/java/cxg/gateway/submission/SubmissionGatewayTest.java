package cxg.gateway.submission;

import static cxg.gateway.submission.SubmissionsTest.newKey;
import static cxg.gateway.submission.SubmissionsTest.pem;
import static cxg.gateway.submission.SubmissionsTest.single;
import static cxg.gateway.submission.SubmissionsTest.subject;
import static cxg.gateway.submission.SubmissionsTest.ts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.gateway.transport.GatewayTestResource;
import cxg.v1.AckStatus;
import cxg.v1.LiftRecord;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.RatingSubmission;
import cxg.v1.RecordKind;
import cxg.v1.RecordSubmission;
import cxg.v1.RestrictionAnswer;
import cxg.v1.RestrictionCheck;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionItem;
import cxg.v1.SubmissionServiceGrpc;
import cxg.v1.SubmitRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SubmissionService as a platform meets it: a real gateway, real mutual TLS with member
 * certificates of the dev PKI, items signed with the platform's registered Ed25519 key.
 */
@QuarkusTest
@QuarkusTestResource(value = GatewayTestResource.class, restrictToAnnotatedClass = true)
class SubmissionGatewayTest {

    // the test profile's store is in memory and shared by the test classes of this JVM: ids of our own
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static Ed25519PrivateKeyParameters alphaKey;

    @BeforeAll
    static void registerSigningKey() throws Exception {
        alphaKey = newKey();
        Files.writeString(SigningKeys.publicKeyFile(GatewayTestResource.pkiDir(), "alpha-credit"), pem(alphaKey));
    }

    @Test
    void goodItemIsAcceptedItsResubmissionIsADuplicateAndChangedContentIsRejected() throws Exception {
        SubmissionItem item = rating(RUN + "-r1", 712);
        SubmissionItem changed = rating(RUN + "-r1", 713);

        List<SubmissionAck> acks = submit("alpha-credit",
                single(alphaKey, item), single(alphaKey, item), single(alphaKey, changed));

        assertEquals(List.of(AckStatus.ACCEPTED, AckStatus.DUPLICATE, AckStatus.REJECTED),
                acks.stream().map(SubmissionAck::getStatus).toList());
        assertEquals("item_id", acks.get(2).getField());
        assertFalse(acks.get(2).getReason().isEmpty());
    }

    @Test
    void aBadSignatureIsRejectedNamingTheFieldAndItsNeighbourIsAccepted() throws Exception {
        List<SubmissionAck> acks = submit("alpha-credit",
                single(newKey(), rating(RUN + "-forged", 700)), single(alphaKey, rating(RUN + "-honest", 700)));

        assertEquals(AckStatus.REJECTED, acks.get(0).getStatus());
        assertEquals("signature", acks.get(0).getField());
        assertEquals(AckStatus.ACCEPTED, acks.get(1).getStatus());
    }

    @Test
    void aCallerThatIsNoPlatformIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> submit("court", single(alphaKey, rating(RUN + "-by-court", 700))));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("platforms-only"), e.getStatus().getDescription());
    }

    @Test
    void aSubmittedRestrictionIsCheckedByRailwayAndItsLiftAnswersNoAtOnce() throws Exception {
        // a subject of its own, so that restrictions of other test runs in this JVM cannot show
        String resident = "11010519491231002X";
        SubmissionItem restriction = SubmissionItem.newBuilder().setItemId(RUN + "-restriction").setRecord(RecordSubmission.newBuilder()
                .setSubject(subject(resident)).setKind(RecordKind.RESTRICTION).setCategory("JUDICIAL")
                .setCaseNumber("(2026) Jing 01 Zhi 123").setDecisionDate(ts(Instant.now().minus(Duration.ofDays(10))))
                .setMeasure("rail-travel-restriction-" + RUN).setIssuingAgency("court")).build();
        assertEquals(AckStatus.ACCEPTED, submit("alpha-credit", single(alphaKey, restriction)).get(0).getStatus());

        RestrictionAnswer yes = check(resident);
        assertTrue(yes.getRestricted());
        assertTrue(yes.getMeasuresList().stream().anyMatch(m -> m.getMeasure().equals("rail-travel-restriction-" + RUN)));

        SubmissionItem lift = SubmissionItem.newBuilder().setItemId(RUN + "-lift").setLift(LiftRecord.newBuilder()
                .setRecordItemId(RUN + "-restriction").setLiftedAt(ts(Instant.now())).setReason("debt repaid")).build();
        assertEquals(AckStatus.ACCEPTED, submit("alpha-credit", single(alphaKey, lift)).get(0).getStatus());

        assertTrue(check(resident).getMeasuresList().stream().noneMatch(m -> m.getMeasure().equals("rail-travel-restriction-" + RUN)));
    }

    private static SubmissionItem rating(String id, double value) {
        return SubmissionItem.newBuilder().setItemId(id).setRating(RatingSubmission.newBuilder()
                .setSubject(subject("11010519491231002X")).setValue(value).setScaleId("alpha-credit").setTier("excellent")
                .setComputedAt(ts(Instant.now().minus(Duration.ofDays(1)))).setValidUntil(ts(Instant.now().plus(Duration.ofDays(90)))))
                .build();
    }

    private static ManagedChannel channel(String member) throws Exception {
        Path pki = GatewayTestResource.pkiDir();
        return NettyChannelBuilder.forAddress("127.0.0.1", GatewayTestResource.port())
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                        .keyManager(pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile()).build())
                .build();
    }

    /** Streams the requests as {@code member} and returns the acknowledgements, or throws the stream's error. */
    private static List<SubmissionAck> submit(String member, SubmitRequest... requests) throws Exception {
        ManagedChannel channel = channel(member);
        try {
            List<SubmissionAck> acks = new CopyOnWriteArrayList<>();
            CompletableFuture<List<SubmissionAck>> done = new CompletableFuture<>();
            StreamObserver<SubmitRequest> out = SubmissionServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .submit(new StreamObserver<>() {
                        @Override
                        public void onNext(SubmissionAck ack) {
                            acks.add(ack);
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            done.complete(acks);
                        }
                    });
            for (SubmitRequest r : requests) {
                out.onNext(r);
            }
            out.onCompleted();
            try {
                return done.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof StatusRuntimeException s ? s : e;
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private static RestrictionAnswer check(String resident) throws Exception {
        ManagedChannel channel = channel("railway");
        try {
            return QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .checkRestriction(RestrictionCheck.newBuilder().setSubject(subject(resident))
                            .setPurpose("travel-restriction-check").build());
        } finally {
            channel.shutdownNow();
        }
    }
}
