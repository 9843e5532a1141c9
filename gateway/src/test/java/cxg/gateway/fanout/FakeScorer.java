package cxg.gateway.fanout;

import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.ScorerServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scorer connector stand-in on a real loopback port: answers with the given function, or
 * never answers at all ("hangs") until it is closed.
 */
public final class FakeScorer implements AutoCloseable {

    public final List<ScorerRequest> received = new CopyOnWriteArrayList<>();
    private final Server server;

    private FakeScorer(Function<ScorerRequest, ScorerResponse> answer, SslContext tls) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ScorerServiceGrpc.ScorerServiceImplBase() {
                    @Override
                    public void getScore(ScorerRequest request, StreamObserver<ScorerResponse> observer) {
                        received.add(request);
                        if (answer != null) {
                            observer.onNext(answer.apply(request));
                            observer.onCompleted();
                        }
                    }
                });
        if (tls != null) {
            builder.sslContext(tls);
        }
        server = builder.build().start();
    }

    public static FakeScorer answering(Function<ScorerRequest, ScorerResponse> answer) throws IOException {
        return new FakeScorer(answer, null);
    }

    public static FakeScorer answeringOverTls(Function<ScorerRequest, ScorerResponse> answer, SslContext tls) throws IOException {
        return new FakeScorer(answer, tls);
    }

    public static FakeScorer hanging() throws IOException {
        return new FakeScorer(null, null);
    }

    public String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
