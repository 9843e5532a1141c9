package cxg.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    @Test
    void admitsUpToTheLimitThenRefusesAsOverloadedNamingTheSetting() {
        Admission admission = new Admission(2);
        Outcome<Admission.Permit> first = admission.admit(Context.ROOT);
        Outcome<Admission.Permit> second = admission.admit(Context.ROOT);
        Outcome<Admission.Permit> third = admission.admit(Context.ROOT);

        assertTrue(first.isOk());
        assertTrue(second.isOk());
        assertFalse(third.isOk());
        assertEquals(Failure.Reason.OVERLOADED, third.failure().reason());
        assertTrue(third.failure().message().contains(Admission.LIMIT_SETTING), third.failure().message());
        assertEquals(2, admission.inFlight(), "a refused call holds no place");

        first.value().close();
        first.value().close();
        assertEquals(1, admission.inFlight(), "a permit gives its place back once, however often it is closed");
        assertTrue(admission.admit(Context.ROOT).isOk());
    }

    @Test
    void neverAdmitsMoreThanTheLimitWhileManyThreadsAdmitAndReleaseAtOnce() throws Exception {
        int limit = 3;
        int threads = 8;
        int callsPerThread = 20_000;
        Admission admission = new Admission(limit);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < callsPerThread; i++) {
                        Outcome<Admission.Permit> permit = admission.admit(Context.ROOT);
                        if (permit.isOk()) {
                            admitted.incrementAndGet();
                            mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
                            holding.decrementAndGet();
                            permit.value().close();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertTrue(mostHeld.get() <= limit, "at most " + limit + " permits at once, saw " + mostHeld.get());
        assertTrue(admitted.get() > 0, "some calls were admitted");
        assertEquals(0, admission.inFlight(), "every place was given back");
    }
}
