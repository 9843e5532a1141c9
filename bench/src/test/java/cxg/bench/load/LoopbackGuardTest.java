package cxg.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {

    @Test
    void acceptsLoopbackAddressesAndLocalhost() {
        for (String target : new String[] {"127.0.0.1:7443", "localhost:7443", "[::1]:7443", "127.1.2.3:1"}) {
            InetSocketAddress a = LoopbackGuard.requireLoopback("--target", target);
            assertTrue(a.getAddress().isLoopbackAddress(), target);
        }
        assertEquals(7443, LoopbackGuard.requireLoopback("--target", "127.0.0.1:7443").getPort());
    }

    @Test
    void refusesATargetOffThisMachineNamingTheOption() {
        BenchInputException e = assertThrows(BenchInputException.class,
                () -> LoopbackGuard.requireLoopback("--target", "10.1.2.3:7443"));
        assertEquals("--target: 10.1.2.3 (10.1.2.3) is not a loopback address; the load tool only sends traffic to 127.0.0.1, ::1 or localhost",
                e.getMessage());
        assertThrows(BenchInputException.class, () -> LoopbackGuard.requireLoopback("--target", "0.0.0.0:7443"));
        assertThrows(BenchInputException.class, () -> LoopbackGuard.requireLoopback("--target", "[2001:db8::1]:7443"));
    }

    @Test
    void refusesMalformedTargets() {
        assertTrue(assertThrows(BenchInputException.class, () -> LoopbackGuard.requireLoopback("--target", "127.0.0.1"))
                .getMessage().startsWith("--target: '127.0.0.1' is not host:port"));
        assertTrue(assertThrows(BenchInputException.class, () -> LoopbackGuard.requireLoopback("--backend", "127.0.0.1:70000"))
                .getMessage().startsWith("--backend: port must be 1-65535"));
        assertThrows(BenchInputException.class, () -> LoopbackGuard.requireLoopback("--target", ""));
    }
}
