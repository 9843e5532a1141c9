package cxg.gateway.identity;

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

import cxg.v1.ScoreReport;

/**
 * What the token check adds to one call (issue 4: ≤ 100 µs median): the same mutual-TLS loopback
 * {@code QueryService/QueryScore} unary call (trivial answer, same token header sent) through the
 * certificate check alone ({@code callWithoutTokenCheck}, the baseline), plus the token check with
 * verified tokens remembered ({@code callWithTokenCheck}, as the gateway runs) and with every token
 * verified in full ({@code callWithTokenCheckUncached}); and the verifier alone, remembered and in
 * full ({@link TokenBenchFixture}). Not a test: run it as described in keycloak/README.md. The benchmark
 * report runs {@link TokenCheckCost} instead: the same calls in one JVM, in interleaved rounds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TokenBenchmark {

    private TokenBenchFixture fixture;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = TokenBenchFixture.open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        fixture.close();
    }

    @Benchmark
    public ScoreReport callWithoutTokenCheck() {
        return fixture.callWithoutTokenCheck();
    }

    @Benchmark
    public ScoreReport callWithTokenCheck() {
        return fixture.callWithTokenCheck();
    }

    @Benchmark
    public ScoreReport callWithTokenCheckUncached() {
        return fixture.callWithTokenCheckUncached();
    }

    @Benchmark
    public TokenCheck verifyRemembered() {
        return fixture.verifyRemembered();
    }

    @Benchmark
    public TokenCheck verifyInFull() {
        return fixture.verifyInFull();
    }
}
