package cxg.bench.ingest;

import cxg.v1.AckStatus;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionServiceGrpc;
import cxg.v1.SubmitRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Streams signed batches over one SubmissionService stream, with at most {@code window} batches unacknowledged at a time (so the client
 * measures the gateway's pace, not its own buffering). Every acknowledgement is handed to
 * {@code onAck} on the transport thread, in order.
 */
public final class IngestStream {

    /** How a stream ended: counts by status, wall time, and the stream's error if it failed. */
    public record Result(long accepted, long duplicate, long rejected, long nanos, Throwable error) {
        public long acknowledged() {
            return accepted + duplicate + rejected;
        }

        public double itemsPerSecond() {
            return acknowledged() / (nanos / 1e9);
        }
    }

    private IngestStream() {
    }

    /**
     * Sends the prepared {@code batches} (each of {@code batchSize} items, the last possibly fewer;
     * built ahead so that signing does not compete with the gateway for the CPU while measured).
     */
    public static Result run(ManagedChannel channel, List<SubmitRequest> batches, int batchSize, int window,
                             Consumer<SubmissionAck> onAck) throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        long[] counts = new long[3];
        long start = System.nanoTime();
        StreamObserver<SubmitRequest> out = SubmissionServiceGrpc.newStub(channel).submit(new StreamObserver<>() {
            private long acks;

            @Override
            public void onNext(SubmissionAck ack) {
                counts[ack.getStatus() == AckStatus.ACCEPTED ? 0 : ack.getStatus() == AckStatus.DUPLICATE ? 1 : 2]++;
                onAck.accept(ack);
                if (++acks % batchSize == 0) {
                    inFlight.release();
                }
            }

            @Override
            public void onError(Throwable t) {
                inFlight.release(window);
                done.complete(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        for (SubmitRequest batch : batches) {
            if (done.isDone()) {
                break;
            }
            while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (done.isDone()) {
                    break;
                }
            }
            if (done.isDone()) {
                break;
            }
            out.onNext(batch);
        }
        if (!done.isDone()) {
            out.onCompleted();
        }
        Throwable error;
        try {
            error = done.get(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            error = e;
        }
        long nanos = System.nanoTime() - start;
        synchronized (counts) {
            return new Result(counts[0], counts[1], counts[2], nanos, error);
        }
    }
}
