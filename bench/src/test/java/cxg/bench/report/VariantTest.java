package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.bench.BenchCli;
import cxg.bench.load.BenchInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./cxg bench report --variant NAME=JVM-OPTIONS}: what is accepted and how a mistake is told. */
class VariantTest {

    @Test
    void parsesTheNameAndEveryJvmOptionInOrder() {
        Variant v = Variant.parse("delay=-Dcxg.audit.commit-delay=PT0.0005S  -Dcxg.audit.commit-siblings=8 -XX:+UseParallelGC");

        assertEquals("delay", v.name());
        assertEquals(List.of("-Dcxg.audit.commit-delay=PT0.0005S", "-Dcxg.audit.commit-siblings=8", "-XX:+UseParallelGC"), v.javaOptions());
        assertEquals("gateway, 1 platform, variant delay", v.path());
        assertEquals("gateway-1-delay", v.process());
    }

    @Test
    void refusesASpecWithoutNameOrOptionsNamingTheOption() {
        for (String bad : List.of("-Dcxg.audit.fsync=false", "=-Dx=1", "delay=", "delay=  ", "de lay=-Dx=1", "delay=Dx=1",
                "delay=-Dx=1 oops", "delay=-jar other.jar", "a-name-much-longer-than-twenty-four=-Dx=1")) {
            BenchInputException e = assertThrows(BenchInputException.class, () -> Variant.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--variant"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void refusesTheSameNameTwiceAndMoreThanThreeVariants() {
        assertThrows(BenchInputException.class, () -> Variant.parseAll(List.of("a=-Dx=1", "a=-Dx=2")));
        assertThrows(BenchInputException.class, () -> Variant.parseAll(List.of("a=-Dx=1", "b=-Dx=2", "c=-Dx=3", "d=-Dx=4")));
        assertEquals(List.of(), Variant.parseAll(null), "no variant by default");
        assertEquals(2, Variant.parseAll(List.of("a=-Dx=1", "b=-Dx=2")).size());
    }

    @Test
    void aBadVariantOnTheCommandLineExitsTwoWithOneLineAndNoStackTrace(@TempDir Path root) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BenchCli.execute("report", "--root", root.toString(), "--variant", "delay=cxg.audit.commit-delay=1ms");
        } finally {
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8).strip();

        assertEquals(2, code);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("cxg bench: --variant delay: 'cxg.audit.commit-delay=1ms' is not a JVM option"), out);
    }

    @Test
    void aMistypedOptionValueExitsTwoWithOneLineNamingTheOption() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BenchCli.execute("run", "--rate", "abc");
        } finally {
            System.setErr(err);
        }
        String out = captured.toString(StandardCharsets.UTF_8).strip();

        assertEquals(2, code);
        assertEquals("cxg bench: Invalid value for option '--rate': 'abc' is not a double (see 'cxg bench run --help')", out);
    }
}
