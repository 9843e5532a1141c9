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
 * (bench/JOURNAL.md, "The framework's share of the gateway's CPU").
 */
public final class GatewayTls {

    private final Path dir;
    private final RevocationCheckingTrustManager trustManager;
    private final PemIdentity.Credential credential;
    /** How the messages name the gateway's certificate: its PEM file, or the p12 it is in. */
    private final String certificateName;

    private GatewayTls(Path dir, RevocationCheckingTrustManager trustManager, PemIdentity.Credential credential, String certificateName) {
        this.dir = dir;
        this.trustManager = trustManager;
        this.credential = credential;
        this.certificateName = certificateName;
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
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        boolean pem = Files.isRegularFile(crt) && Files.isRegularFile(key);
        PemIdentity.Credential credential;
        try {
            if (pem) {
                credential = PemIdentity.check(caFile, crt, key, Instant.now());
            } else {
                credential = p12Entry(dir, name, p12Password.toCharArray());
                PemIdentity.check(caFile, credential, Instant.now());
            }
        } catch (PkiException e) {
            throw new IllegalStateException("cxg.pki.dir: " + e.getMessage());
        }
        return new GatewayTls(dir, new RevocationCheckingTrustManager(cas, dir.resolve("ca.crl")), credential,
                pem ? crt.toString() : credential.file() + "'s certificate");
    }

    /** The gateway's certificate and key, as checked at load. */
    public PemIdentity.Credential credential() {
        return credential;
    }

    public RevocationCheckingTrustManager trustManager() {
        return trustManager;
    }

    /** A warning for the member CA's certificate and the gateway's own (PEM or p12), each if it expires soon. */
    public List<String> expiryWarnings(Instant now) {
        List<String> warnings = new ArrayList<>(PemIdentity.expiringSoon(now, PemIdentity.RENEWAL_NOTICE, dir.resolve("ca.crt")));
        PemIdentity.expiringSoon(now, PemIdentity.RENEWAL_NOTICE, certificateName, credential.certificate()).ifPresent(warnings::add);
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

    /**
     * Server side: TLS with the client certificate required during the handshake. The key and certificate go to Netty as
     * the objects {@link PemIdentity} checked: given the files, Netty would instantiate Bouncy Castle's provider to read
     * the key, seconds on the event loop that starts the server on a busy machine (BlockedThreadChecker warnings).
     */
    public SslContext serverContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(credential.key(), credential.certificate()))
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
            return GrpcSslContexts.configure(SslContextBuilder.forClient().keyManager(credential.key(), credential.certificate()))
                    .trustManager(new PeerSubjectTrustManager(trustManager, expectedServerSubject))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the gateway's TLS client context from " + dir.toAbsolutePath(), e);
        }
    }

    private static PemIdentity.Credential p12Entry(Path dir, String name, char[] password) {
        Path p12 = dir.resolve(name + ".p12");
        if (!Files.isRegularFile(p12)) {
            throw new IllegalStateException("no certificate for '" + name + "' in " + dir.toAbsolutePath()
                    + ": expected " + name + ".crt and " + name + ".key, or " + name + ".p12");
        }
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return PemIdentity.keyEntry(store, p12, password, name);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + p12.toAbsolutePath() + " (wrong cxg.pki.password?)", e);
        }
    }
}
