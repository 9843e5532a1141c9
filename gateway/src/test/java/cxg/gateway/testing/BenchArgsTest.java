package cxg.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchArgsTest {

    @Test
    void readsTheOutputDirectoryAndQuick() {
        BenchArgs a = BenchArgs.parse(new BenchArgs(), new String[] {"--quick", "--out", "/tmp/x"});

        assertEquals(Path.of("/tmp/x"), a.out());
        assertTrue(a.quick());
        assertFalse(BenchArgs.parse(new BenchArgs(), new String[] {"--out", "d"}).quick());
    }

    @Test
    void namesTheArgumentThatIsWrong() {
        assertEquals("Missing required option: '--out=DIR'", mistake("--quick"));
        assertEquals("Missing required parameter for option '--out' (DIR)", mistake("--out"));
        assertEquals("Unknown option: '--only'", mistake("--out", "d", "--only"));
    }

    private static String mistake(String... args) {
        return assertThrows(CommandLine.ParameterException.class, () -> BenchArgs.parse(new BenchArgs(), args)).getMessage();
    }
}
