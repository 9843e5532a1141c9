package cxg.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcTargetsTest {

    @Test
    void asksTheScorerWhatTheGatewayAsksWithANewRequestIdPerCall() throws Exception {
        List<ScorerRequest> asked = new CopyOnWriteArrayList<>();
        Server scorer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ScorerServiceGrpc.ScorerServiceImplBase() {
                    @Override
                    public void getScore(ScorerRequest request, StreamObserver<ScorerResponse> answer) {
                        asked.add(request);
                        answer.onNext(ScorerResponse.newBuilder().setStatus(PlatformStatus.OK).build());
                        answer.onCompleted();
                    }
                })
                .build()
                .start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", scorer.getPort()).usePlaintext().build();
        try {
            CallTarget target = GrpcTargets.getScore(channel, Duration.ofSeconds(5), List.of("FINANCIAL", "TAX"));
            for (int i = 0; i < 2; i++) {
                CompletableFuture<CallTarget.Kind> done = new CompletableFuture<>();
                target.call((kind, detail) -> done.complete(kind));
                assertEquals(CallTarget.Kind.OK, done.get(5, TimeUnit.SECONDS));
            }
        } finally {
            channel.shutdownNow();
            scorer.shutdownNow();
        }

        assertEquals(2, asked.size());
        for (ScorerRequest r : asked) {
            assertEquals(GrpcTargets.SUBJECT, r.getSubject().getValue());
            assertEquals(GrpcTargets.PURPOSE, r.getPurpose());
            assertEquals(List.of("FINANCIAL", "TAX"), r.getCategoriesList());
            assertTrue(r.getRequestId().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), r.getRequestId());
        }
        assertNotEquals(asked.get(0).getRequestId(), asked.get(1).getRequestId());
    }
}
