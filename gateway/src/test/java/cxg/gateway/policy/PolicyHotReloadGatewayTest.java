package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import cxg.gateway.testing.Await;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Hot reload in a running gateway: a good set is swapped in, a broken one is refused and shown by health. */
@QuarkusTest
@QuarkusTestResource(value = PolicyReloadTestResource.class, restrictToAnnotatedClass = true)
class PolicyHotReloadGatewayTest {

    @TestHTTPResource("/q/health/ready")
    URI ready;

    private ScoreReport query(String member, String purpose) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", PolicyReloadTestResource.grpcPort)
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(PolicyReloadTestResource.pki.resolve("ca.crt").toFile())
                        .keyManager(PolicyReloadTestResource.pki.resolve(member + ".crt").toFile(),
                                PolicyReloadTestResource.pki.resolve(member + ".key").toFile())
                        .build())
                .build();
        try {
            return QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).queryScore(ScoreQuery
                    .newBuilder().setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                    .setPurpose(purpose).build());
        } finally {
            channel.shutdownNow();
        }
    }

    private HttpResponse<String> health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private boolean denied(String member, String purpose) {
        try {
            query(member, purpose);
            return false;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.PERMISSION_DENIED;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void swapsInAGoodSetAndKeepsServingTheLastGoodOneWhenANewSetIsBroken() throws Exception {
        var agreements = PolicyReloadTestResource.policies.resolve("agreements.yaml");
        String original = Files.readString(agreements);
        try {
            assertTrue(query("court", "loan-eligibility").getDecision().getAllowed());
            HttpResponse<String> before = health();
            assertEquals(200, before.statusCode());
            assertTrue(before.body().contains("\"reload\": \"ok\"") || before.body().contains("\"reload\":\"ok\""), before.body());

            // a good change: court loses loan-eligibility
            Files.writeString(agreements, original.replace("purpose: loan-eligibility", "purpose: deposit-waiver"));
            Await.until("the new set is served", Duration.ofSeconds(30), Duration.ofMillis(100), () -> denied("court", "loan-eligibility"));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> query("court", "loan-eligibility"));
            assertTrue(e.getStatus().getDescription().contains("default-deny"), e.getStatus().getDescription());
            assertTrue(query("court", "deposit-waiver").getDecision().getAllowed());

            // a broken change: granting MEDICAL never loads
            Files.writeString(agreements, original.replace("categories: [FINANCIAL, COMMERCIAL]", "categories: [FINANCIAL, MEDICAL]"));
            Await.until("health shows the rejected reload", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                try {
                    return health().body().contains("grants prohibited category MEDICAL");
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            });
            HttpResponse<String> broken = health();
            assertEquals(200, broken.statusCode(), "the gateway stays ready on its last good set");
            assertTrue(broken.body().contains("agreements.yaml:"), broken.body());
            assertTrue(broken.body().contains("rejected"), broken.body());
            assertTrue(denied("court", "loan-eligibility"), "still the last good set");
            assertTrue(query("court", "deposit-waiver").getDecision().getAllowed());
        } finally {
            Files.writeString(agreements, original);
        }
        Await.until("the restored set is served", Duration.ofSeconds(30), Duration.ofMillis(100), () -> !denied("court", "loan-eligibility"));
        assertTrue(health().body().replace(" ", "").contains("\"reload\":\"ok\""));
    }

    private Status.Code code(String member, String purpose) {
        try {
            query(member, purpose);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCertificateWhoseMemberAReloadRemovedIsRefusedOnItsNextCall() throws Exception {
        var members = PolicyReloadTestResource.policies.resolve("members.yaml");
        String original = Files.readString(members);
        String subject = "certificateSubject: \"CN=railway,OU=agency,O=cxg-demo\"";
        assertTrue(original.contains(subject), "the test expects railway's subject quoted in members.yaml");
        try {
            assertNotEquals(Status.Code.UNAUTHENTICATED, code("railway", "travel-restriction-check"));

            Files.writeString(members, original.replace(subject, "certificateSubject: \"CN=railway-2027,OU=agency,O=cxg-demo\""));
            Await.until("railway's certificate belongs to no member", Duration.ofSeconds(30), Duration.ofMillis(100), () -> code("railway", "travel-restriction-check")
                    == Status.Code.UNAUTHENTICATED);
        } finally {
            Files.writeString(members, original);
        }
        Await.until("the restored set knows railway again", Duration.ofSeconds(30), Duration.ofMillis(100), () -> code("railway", "travel-restriction-check")
                != Status.Code.UNAUTHENTICATED);
    }
}
