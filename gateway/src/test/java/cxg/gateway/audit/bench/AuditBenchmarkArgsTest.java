package cxg.gateway.audit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class AuditBenchmarkArgsTest {

    @Test
    void runsEverySectionUnlessToldWhich() {
        assertEquals(List.of("appends", "latency", "proofs"), List.copyOf(AuditBenchmark.Args.parse("--out", "d").sections()));
        assertEquals(Set.of("proofs", "appends"), AuditBenchmark.Args.parse("--out", "d", "--only", "proofs,appends").sections());
    }

    @Test
    void refusesASectionItDoesNotHave() {
        assertEquals("--only takes sections from appends,latency,proofs, not 'proofs,nope'",
                assertThrows(ParameterException.class, () -> AuditBenchmark.Args.parse("--out", "d", "--only", "proofs,nope")).getMessage());
    }
}
