package cxg.agency.cli;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The command line reports failures itself, in one line; gRPC and Netty would otherwise print
 * their own warnings and stack traces to the console.
 */
final class QuietLogging {

    private QuietLogging() {
    }

    static void install() {
        // Netty would pick up slf4j from the classpath; route it to java.util.logging and silence that.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        LogManager.getLogManager().reset();
        Logger.getLogger("").setLevel(Level.OFF);
    }
}
