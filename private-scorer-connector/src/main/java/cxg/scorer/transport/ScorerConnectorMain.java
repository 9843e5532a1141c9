package cxg.scorer.transport;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * The connector's entry point: Quarkus' own, after two one-time costs of the gRPC server's TLS set-up are paid here, on
 * the main thread. Vert.x builds that server's TLS context on its event loop, and the first JDK TLS server context
 * loads the JDK's CA certificates and has Netty start Bouncy Castle's provider (on the class path for {@code scorer
 * submit}'s signing keys). On a busy machine that blocked the event loop for seconds, and Vert.x logged each second
 * past two as a warning with a stack trace.
 */
@QuarkusMain
public final class ScorerConnectorMain {

    ScorerConnectorMain() {
    }

    public static void main(String... args) {
        preloadTls();
        Quarkus.run(args);
    }

    static void preloadTls() {
        try {
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
            Class.forName("io.netty.handler.ssl.JdkSslServerContext", true, ScorerConnectorMain.class.getClassLoader());
        } catch (GeneralSecurityException | ClassNotFoundException e) {
            // only a head start: the server pays these costs itself, and reports any failure, when it starts
        }
    }
}
