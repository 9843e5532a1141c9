package cxg.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BenchArgsTest {

    @Test
    void readsTheOutputDirectoryQuickAndTheHarnesssOwnOptions() {
        BenchArgs a = BenchArgs.parse(new String[] {"--quick", "--out", "/tmp/x", "--only", "appends"}, "--only");

        assertEquals(Path.of("/tmp/x"), a.out());
        assertTrue(a.quick());
        assertEquals(Optional.of("appends"), a.value("--only"));
        assertFalse(BenchArgs.parse(new String[] {"--out", "d"}).quick());
    }

    @Test
    void namesTheArgumentThatIsWrong() {
        assertEquals("--out DIR is required",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(new String[] {"--quick"})).getMessage());
        assertEquals("--out needs a directory",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(new String[] {"--out"})).getMessage());
        assertEquals("--only needs a value",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(new String[] {"--out", "d", "--only"}, "--only")).getMessage());
        assertEquals("unknown argument '--only'",
                assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(new String[] {"--out", "d", "--only", "x"})).getMessage());
    }
}
