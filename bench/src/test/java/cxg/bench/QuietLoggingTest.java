package cxg.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bench JVMs (load generator, hop, platform stand-in) do not format grpc-netty's per-frame DEBUG logging. */
class QuietLoggingTest {

    private final Logger root = LogContext.getSystemLogContext().getLogger("");
    private final Level before = root.getLevel();

    @AfterEach
    void restore() {
        root.setLevel(before);
    }

    @Test
    void frameLoggerIsOffEvenWhenTheLogManagerStartsAtAll() {
        root.setLevel(Level.ALL); // what the JBoss log manager starts with when nothing configures it
        InternalLogger frames = InternalLoggerFactory.getInstance("io.grpc.netty.NettyServerHandler");
        assertTrue(frames.isDebugEnabled(), "precondition: at ALL the frame logger would format every frame");

        BenchCli.quietLogging();

        assertFalse(frames.isDebugEnabled());
        assertTrue(frames.isInfoEnabled());
    }
}
