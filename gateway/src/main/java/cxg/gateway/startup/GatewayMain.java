package cxg.gateway.startup;

import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The gateway's entry point: Quarkus' own, except that a start-up failure the operator can fix
 * ends with {@code cxg gateway: cannot start: <reason>} on stderr and exit status 1 instead of
 * a stack trace (see {@link StartupFailure}).
 */
@QuarkusMain
public final class GatewayMain {

    private static final String PREFIX = "cxg gateway: cannot start: ";

    GatewayMain() {
    }

    public static void main(String... args) {
        Quarkus.run(null, GatewayMain::exit, args);
    }

    private static void exit(Integer code, Throwable failure) {
        BiConsumer<Integer, Throwable> quarkus = ApplicationLifecycleManager.getDefaultExitCodeHandler();
        if (failure == null) {
            quarkus.accept(code, null);
            return;
        }
        // The gRPC server's failure came first; whatever failed after it usually followed from it.
        Throwable first = GrpcStartFailures.first().orElse(failure);
        String reason = StartupFailure.describe(first).or(() -> StartupFailure.describe(failure)).orElse(null);
        if (reason != null) {
            System.err.println(PREFIX + reason);
        } else {
            Logger.getLogger(GatewayMain.class).error("cannot start (an internal error; please report it with this trace)", failure);
        }
        System.err.flush();
        quarkus.accept(code == 0 ? 1 : code, null);
    }
}
