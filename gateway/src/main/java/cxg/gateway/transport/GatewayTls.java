package cxg.gateway.transport;

import cxg.pki.PemIdentity;
import cxg.pki.PkiException;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The gateway's TLS material from the PKI directory: it trusts only the member CA
 * ({@code ca.crt}, revocations from {@code ca.crl}) and presents its own certificate,
 * {@code gateway.crt} + {@code gateway.key} (PEM, PKCS#8) or else {@code gateway.p12}.
 * The same certificate serves callers (server side, client certificate required) and
 * authenticates the gateway to the scorer connectors (client side).
 *
 * <p>Both sides run on BoringSSL (netty-tcnative) when its native library loads, the JDK's
 * SSLEngine otherwise ({@link GrpcSslContexts} picks it); either way the handshake asks this
 * class's trust managers. BoringSSL costs the gateway less CPU per call than the JDK's AES-GCM
 * (BENCHMARKS.md, "The framework's share of the gateway's CPU").
 */
public final class GatewayTls {

    private final Path dir;
    private final String name;
    private final char[] p12Password;
    private final RevocationCheckingTrustManager trustManager;

    private GatewayTls(Path dir, String name, char[] p12Password, RevocationCheckingTrustManager trustManager) {
        this.dir = dir;
        this.name = name;
        this.p12Password = p12Password;
        this.trustManager = trustManager;
    }

    /**
     * @param name file name stem of the certificate to present, {@code gateway} in production
     * @throws IllegalStateException naming the missing or unreadable file, or the PEM file or p12 that does not fit:
     *     a key of another certificate, a certificate of another CA or out of its validity
     */
    public static GatewayTls load(Path dir, String name, String p12Password) {
        Path caFile = dir.resolve("ca.crt");
        if (!Files.isRegularFile(caFile)) {
            throw new IllegalStateException("no member CA certificate at " + caFile.toAbsolutePath()
                    + " (set cxg.pki.dir, or create the dev PKI with ./cxg pki init)");
        }
        List<X509Certificate> cas = new ArrayList<>();
        try (InputStream in = Files.newInputStream(caFile)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                cas.add((X509Certificate) c);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the member CA certificate " + caFile.toAbsolutePath(), e);
        }
        GatewayTls tls = new GatewayTls(dir, name, p12Password.toCharArray(),
                new RevocationCheckingTrustManager(cas, dir.resolve("ca.crl")));
        try {
            if (tls.pemPresent()) {
                PemIdentity.check(caFile, tls.pem("crt"), tls.pem("key"), Instant.now());
            } else {
                PemIdentity.check(caFile, tls.p12Entry(), Instant.now());
            }
        } catch (PkiException e) {
            throw new IllegalStateException("cxg.pki.dir: " + e.getMessage());
        }
        tls.keyMaterialFor(SslContextBuilder.forClient());
        return tls;
    }

    public RevocationCheckingTrustManager trustManager() {
        return trustManager;
    }

    /** A warning for the member CA's certificate and the gateway's own (PEM or p12), each if it expires soon. */
    public List<String> expiryWarnings(Instant now) {
        if (pemPresent()) {
            return PemIdentity.expiringSoon(now, PemIdentity.RENEWAL_NOTICE, dir.resolve("ca.crt"), pem("crt"));
        }
        List<String> warnings = new ArrayList<>(PemIdentity.expiringSoon(now, PemIdentity.RENEWAL_NOTICE, dir.resolve("ca.crt")));
        PemIdentity.expiringSoon(now, PemIdentity.RENEWAL_NOTICE, p12() + "'s certificate", p12Entry().certificate())
                .ifPresent(warnings::add);
        return warnings;
    }

    /** The trusted CA's subject and where it came from, for the start-up log. */
    public String trustedCa() {
        return "\"" + trustManager.getAcceptedIssuers()[0].getSubjectX500Principal().getName() + "\" from "
                + dir.resolve("ca.crt").toAbsolutePath();
    }

    /** What encrypts {@code context}'s records, for the start-up log. */
    public static String providerOf(SslContext context) {
        return context instanceof OpenSslContext ? "OpenSSL (BoringSSL)" : "JDK";
    }

    /** Server side: TLS with the client certificate required during the handshake. */
    public SslContext serverContext() {
        try {
            SslContextBuilder builder = pemPresent()
                    ? SslContextBuilder.forServer(pem("crt").toFile(), pem("key").toFile())
                    : SslContextBuilder.forServer(p12KeyManagers());
            return GrpcSslContexts.configure(builder)
                    .trustManager(trustManager)
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the gateway's TLS server context from " + dir.toAbsolutePath(), e);
        }
    }

    /**
     * Client side, for calls to scorer connectors: presents the gateway's certificate, trusts the
     * member CA, and accepts only a server certificate with the given subject.
     */
    public SslContext clientContext(String expectedServerSubject) {
        try {
            return GrpcSslContexts.configure(keyMaterialFor(SslContextBuilder.forClient()))
                    .trustManager(new PeerSubjectTrustManager(trustManager, expectedServerSubject))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the gateway's TLS client context from " + dir.toAbsolutePath(), e);
        }
    }

    private SslContextBuilder keyMaterialFor(SslContextBuilder builder) {
        return pemPresent()
                ? builder.keyManager(pem("crt").toFile(), pem("key").toFile())
                : builder.keyManager(p12KeyManagers());
    }

    private boolean pemPresent() {
        return Files.isRegularFile(pem("crt")) && Files.isRegularFile(pem("key"));
    }

    private Path pem(String extension) {
        return dir.resolve(name + "." + extension);
    }

    private KeyManagerFactory p12KeyManagers() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(p12Store(), p12Password);
            return kmf;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + p12().toAbsolutePath() + " (wrong cxg.pki.password?)", e);
        }
    }

    private PemIdentity.KeyStoreEntry p12Entry() {
        return PemIdentity.keyEntry(p12Store(), p12(), p12Password, name);
    }

    private KeyStore p12Store() {
        Path p12 = p12();
        if (!Files.isRegularFile(p12)) {
            throw new IllegalStateException("no certificate for '" + name + "' in " + dir.toAbsolutePath()
                    + ": expected " + name + ".crt and " + name + ".key, or " + name + ".p12");
        }
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, p12Password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + p12.toAbsolutePath() + " (wrong cxg.pki.password?)", e);
        }
    }

    private Path p12() {
        return dir.resolve(name + ".p12");
    }
}
