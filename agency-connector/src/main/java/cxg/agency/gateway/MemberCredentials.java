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
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(ca.toFile());
            PemIdentity.Credential identity = identity(pkiDir, member);
            return builder.keyManager(identity.key(), identity.certificate()).build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            // Netty reports unreadable PEM as IllegalArgumentException; the file names are what helps.
            throw new CredentialsUnavailableException("member",
                    "cannot read the certificate, key or CA of member '" + member + "' in " + pkiDir);
        }
    }

    /**
     * The member's certificate and key, checked: a key that does not fit its certificate, or an expired certificate,
     * would otherwise only show as a gateway that seems unavailable. Netty gets them as objects, not as files to read again.
     */
    private static PemIdentity.Credential identity(Path pkiDir, String member)
            throws IOException, GeneralSecurityException, CredentialsUnavailableException {
        Path crt = pkiDir.resolve(member + ".crt");
        Path key = pkiDir.resolve(member + ".key");
        Path p12 = pkiDir.resolve(member + ".p12");
        try {
            if (Files.isRegularFile(crt) && Files.isRegularFile(key)) {
                return PemIdentity.checkKeyPair(crt, key, Instant.now());
            }
            if (Files.isRegularFile(p12)) {
                PemIdentity.Credential entry = PemIdentity.keyEntry(pkcs12(p12), p12, P12_PASSWORD, member);
                PemIdentity.checkKeyPair(entry, Instant.now());
                return entry;
            }
        } catch (PkiException e) {
            throw new CredentialsUnavailableException("member", e.getMessage());
        }
        throw new CredentialsUnavailableException("member", "no certificate for member '" + member + "' in "
                + pkiDir + " (expected " + member + ".crt and " + member + ".key, or " + member + ".p12)");
    }

    private static KeyStore pkcs12(Path p12) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, P12_PASSWORD);
        }
        return store;
    }
}
