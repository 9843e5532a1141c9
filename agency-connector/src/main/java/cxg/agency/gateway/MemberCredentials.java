package cxg.agency.gateway;

import cxg.pki.PemIdentity;
import cxg.pki.PkiException;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Instant;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;

/**
 * The TLS identity of a member as the dev PKI lays it out in a directory: {@code <member>.crt}
 * and {@code <member>.key} (PEM, PKCS#8), or else {@code <member>.p12}; trust is {@code ca.crt}.
 */
public final class MemberCredentials {

    /** Password of the dev PKI's PKCS#12 files. */
    private static final char[] P12_PASSWORD = "changeit".toCharArray();
    /** Member ids are plain names; this also keeps them from walking out of the directory. */
    private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private MemberCredentials() {
    }

    /** True when the files to act as {@code member} are present (for readiness checks). */
    public static boolean present(Path pkiDir, String member) {
        return MEMBER_ID.matcher(member).matches()
                && Files.isRegularFile(pkiDir.resolve("ca.crt"))
                && (Files.isRegularFile(pkiDir.resolve(member + ".crt")) && Files.isRegularFile(pkiDir.resolve(member + ".key"))
                        || Files.isRegularFile(pkiDir.resolve(member + ".p12")));
    }

    static SslContext clientContext(Path pkiDir, String member) throws CredentialsUnavailableException {
        if (member == null || !MEMBER_ID.matcher(member).matches()) {
            throw new CredentialsUnavailableException("member", "not a member name: '" + member + "'");
        }
        Path ca = pkiDir.resolve("ca.crt");
        if (!Files.isRegularFile(ca)) {
            throw new CredentialsUnavailableException("pkiDir",
                    "no CA certificate " + ca + " (run ./cxg pki init, or point to the PKI directory)");
        }
        Path crt = pkiDir.resolve(member + ".crt");
        Path key = pkiDir.resolve(member + ".key");
        Path p12 = pkiDir.resolve(member + ".p12");
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (Files.isRegularFile(crt) && Files.isRegularFile(key)) {
                checkKeyPair(crt, key);
                builder.keyManager(crt.toFile(), key.toFile());
            } else if (Files.isRegularFile(p12)) {
                builder.keyManager(keyManagerFromPkcs12(p12, member));
            } else {
                throw new CredentialsUnavailableException("member", "no certificate for member '" + member + "' in "
                        + pkiDir + " (expected " + member + ".crt and " + member + ".key, or " + member + ".p12)");
            }
            return builder.build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            // Netty reports unreadable PEM as IllegalArgumentException; the file names are what helps.
            throw new CredentialsUnavailableException("member",
                    "cannot read the certificate, key or CA of member '" + member + "' in " + pkiDir);
        }
    }

    /** A key that does not fit its certificate would otherwise only show as a gateway that seems unavailable. */
    private static void checkKeyPair(Path crt, Path key) throws CredentialsUnavailableException {
        try {
            PemIdentity.checkKeyPair(crt, key, Instant.now());
        } catch (PkiException e) {
            throw new CredentialsUnavailableException("member", e.getMessage());
        }
    }

    /** Checked as the PEM files are: a key store whose certificate expired would also only show as an unavailable gateway. */
    private static KeyManagerFactory keyManagerFromPkcs12(Path p12, String member)
            throws IOException, GeneralSecurityException, CredentialsUnavailableException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, P12_PASSWORD);
        }
        try {
            PemIdentity.checkKeyPair(PemIdentity.keyEntry(store, p12, P12_PASSWORD, member), Instant.now());
        } catch (PkiException e) {
            throw new CredentialsUnavailableException("member", e.getMessage());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, P12_PASSWORD);
        return factory;
    }
}
