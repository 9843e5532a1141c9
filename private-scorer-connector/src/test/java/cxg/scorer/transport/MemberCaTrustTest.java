package cxg.scorer.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cxg.pki.DevPki;
import cxg.scorer.identity.MemberIdentity;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.value.registry.ValueRegistry;
import io.vertx.core.Vertx;
import io.vertx.grpc.VertxServerBuilder;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's start-up checks, without Quarkus: what an operator reads when its gRPC server cannot serve. */
class MemberCaTrustTest {

    private static Vertx vertx;

    @TempDir
    Path pki;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close();
    }

    @Test
    void startsWhenTheFilesFitAndQuarkusStartedTheServer() {
        DevPki.init(pki, false);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(true));

        trust.customize(config("127.0.0.1", 0), builder());
        trust.failStartUp(new StartupEvent());
    }

    @Test
    void refusesAKeyOfAnotherMemberNamingTheFile() throws Exception {
        DevPki.init(pki, false);
        Files.copy(pki.resolve("beta-score.key"), pki.resolve("alpha-credit.key"), StandardCopyOption.REPLACE_EXISTING);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(false));

        String reason = "cxg.pki.dir: " + pki.resolve("alpha-credit.key") + " is not the private key of " + pki.resolve("alpha-credit.crt");
        assertEquals(reason, assertThrows(IllegalStateException.class, () -> trust.customize(config("127.0.0.1", 0), builder())).getMessage());
        assertEquals("cxg scorer connector: cannot start: " + reason, refusal(trust));
    }

    @Test
    void refusesAPortAnotherProcessListensOnBeforeTheServerTriesIt() throws Exception {
        DevPki.init(pki, false);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(false));
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = other.getLocalPort();

            assertThrows(IllegalStateException.class, () -> trust.customize(config("127.0.0.1", port), builder()));

            assertEquals("cxg scorer connector: cannot start: quarkus.grpc.server.port: cannot listen on 127.0.0.1:" + port
                    + ": Address already in use; another process, or a connector already running, listens there", refusal(trust));
        }
    }

    @Test
    void aSecondServerInstanceSharesThePortTheFirstOneBound() throws Exception {
        DevPki.init(pki, false);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(true));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        trust.customize(config("127.0.0.1", port), builder());
        try (ServerSocket firstInstance = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            trust.customize(config("127.0.0.1", port), builder());
        }
        trust.failStartUp(new StartupEvent());
    }

    @Test
    void refusesAnAddressThisMachineDoesNotHaveNamingTheHostSetting() throws Exception {
        DevPki.init(pki, false);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(false));

        // TEST-NET-1 (RFC 5737): no interface here has it
        assertThrows(IllegalStateException.class, () -> trust.customize(config("192.0.2.1", 7501), builder()));

        assertEquals("cxg scorer connector: cannot start: quarkus.grpc.server.host: cannot listen on 192.0.2.1:7501:"
                + " Cannot assign requested address", refusal(trust));
    }

    @Test
    void failsTheStartWhenTheServerDidNotStartForAnotherReason() {
        DevPki.init(pki, false);
        MemberCaTrust trust = new MemberCaTrust(MemberIdentity.of("alpha-credit", pki), registry(false));

        trust.customize(config("127.0.0.1", 0), builder());

        assertEquals("cxg scorer connector: cannot start: its gRPC server did not start on 127.0.0.1:0 (the error above says why)",
                refusal(trust));
    }

    private static String refusal(MemberCaTrust trust) {
        return assertThrows(ConfigurationException.class, () -> trust.failStartUp(new StartupEvent())).getMessage();
    }

    private static VertxServerBuilder builder() {
        return VertxServerBuilder.forAddress(vertx, "127.0.0.1", 0);
    }

    private static GrpcServerConfiguration config(String host, int port) {
        return (GrpcServerConfiguration) Proxy.newProxyInstance(MemberCaTrustTest.class.getClassLoader(),
                new Class<?>[] {GrpcServerConfiguration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "host" -> host;
                    case "port", "testPort" -> port;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Quarkus registers the gRPC port once its server listens. */
    private static ValueRegistry registry(boolean serverStarted) {
        return (ValueRegistry) Proxy.newProxyInstance(MemberCaTrustTest.class.getClassLoader(),
                new Class<?>[] {ValueRegistry.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "containsKey" -> serverStarted && args[0] == GrpcServer.GRPC_PORT;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
