package cxg.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * Checks a member's TLS identity as PEM files (its certificate, its PKCS#8 private key and the member CA
 * that issued it) before a server or client is built from them. A wrong file then stops the start with
 * one line naming it, instead of a TLS library's stack trace or handshakes that fail later: a corrupt or
 * non-PKCS#8 key, a key of another certificate, a certificate of another CA, one that has expired.
 */
public final class PemIdentity {

    /** How long before a certificate expires a server warns at start. */
    public static final Duration RENEWAL_NOTICE = Duration.ofDays(30);

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519");
    private static final byte[] PROBE = "cxg key check".getBytes(StandardCharsets.US_ASCII);

    private PemIdentity() {
    }

    /**
     * A certificate and its private key, read from {@code file}: the certificate's PEM file, or a key store (PKCS#12)
     * whose entry it is, which the messages name. Servers hand both to their TLS stack as they are, so that it does not
     * parse the files again.
     */
    public record Credential(Path file, X509Certificate certificate, PrivateKey key) {

        @Override
        public String toString() {
            return "Credential[" + file + ", " + certificate.getSubjectX500Principal().getName() + "]";
        }
    }

    /**
     * The certificate and key fit each other and the member CA: both certificates within their validity at {@code now},
     * the certificate issued by the CA.
     *
     * @return the certificate and key as read, for the TLS stack
     * @throws PkiException naming the file at fault, in one line
     */
    public static Credential check(Path caCertificate, Path certificate, Path privateKey, Instant now) {
        X509Certificate ca = readCertificate(caCertificate);
        checkValid(ca, caCertificate.toString(), now);
        Credential credential = checkKeyPair(certificate, privateKey, now);
        checkIssuedBy(ca, caCertificate, credential.certificate(), certificate.toString());
        return credential;
    }

    /**
     * The key entry a TLS key manager would present: {@code alias} if it is a key entry, else the store's first.
     *
     * @param file where {@code store} was loaded from, for the messages
     * @throws PkiException if the store holds no private key with an X.509 certificate, or its key cannot be read
     */
    public static Credential keyEntry(KeyStore store, Path file, char[] password, String alias) {
        try {
            String chosen = store.isKeyEntry(alias) ? alias : null;
            for (Enumeration<String> all = store.aliases(); chosen == null && all.hasMoreElements(); ) {
                String a = all.nextElement();
                chosen = store.isKeyEntry(a) ? a : null;
            }
            if (chosen == null) {
                throw new PkiException(file + " holds no private key");
            }
            if (!(store.getKey(chosen, password) instanceof PrivateKey key) || !(store.getCertificate(chosen) instanceof X509Certificate cert)) {
                throw new PkiException(file + " holds no private key with an X.509 certificate under '" + chosen + "'");
            }
            return new Credential(file, cert, key);
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot read the private key in " + file);
        }
    }

    /** The checks of {@link #check} for a key store's entry rather than PEM files. */
    public static void check(Path caCertificate, Credential entry, Instant now) {
        X509Certificate ca = readCertificate(caCertificate);
        checkValid(ca, caCertificate.toString(), now);
        checkKeyPair(entry, now);
        checkIssuedBy(ca, caCertificate, entry.certificate(), entry.file() + "'s certificate");
    }

    /** The checks of {@link #checkKeyPair(Path, Path, Instant)} for a key store's entry. */
    public static void checkKeyPair(Credential entry, Instant now) {
        checkValid(entry.certificate(), entry.file() + "'s certificate", now);
        if (!pairs(entry.key(), entry.certificate())) {
            throw new PkiException(entry.file() + "'s key is not the private key of its certificate");
        }
    }

    private static void checkIssuedBy(X509Certificate ca, Path caCertificate, X509Certificate cert, String label) {
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new PkiException(label + " was not issued by the member CA in " + caCertificate + " (its issuer is \""
                    + cert.getIssuerX500Principal().getName() + "\")");
        }
    }

    /**
     * The key is a PKCS#8 key and the private key of the certificate, which is within its validity at {@code now}; for a
     * client, whose issuer the server it calls judges.
     *
     * @throws PkiException naming the file at fault, in one line
     */
    public static Credential checkKeyPair(Path certificate, Path privateKey, Instant now) {
        X509Certificate cert = readCertificate(certificate);
        PrivateKey key = readPrivateKey(privateKey, certificate, cert.getPublicKey().getAlgorithm());
        checkValid(cert, certificate.toString(), now);
        if (!pairs(key, cert)) {
            throw new PkiException(privateKey + " is not the private key of " + certificate);
        }
        return new Credential(certificate, cert, key);
    }

    /**
     * A warning for each certificate that expires within {@code notice} of {@code now}, for a server to log at start:
     * once one has expired, {@link #check} refuses the start, and peers refuse the handshake.
     *
     * @throws PkiException naming a file it cannot read as a certificate
     */
    public static List<String> expiringSoon(Instant now, Duration notice, Path... certificates) {
        List<String> warnings = new ArrayList<>();
        for (Path file : certificates) {
            expiringSoon(now, notice, file.toString(), readCertificate(file)).ifPresent(warnings::add);
        }
        return warnings;
    }

    /** {@link #expiringSoon(Instant, Duration, Path...)} for a certificate read from elsewhere, named {@code label}. */
    public static Optional<String> expiringSoon(Instant now, Duration notice, String label, X509Certificate certificate) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        return notAfter.isBefore(now.plus(notice))
                ? Optional.of(label + " expires at " + notAfter + ", in " + Duration.between(now, notAfter).toDays() + " days: renew it before then")
                : Optional.empty();
    }

    private static X509Certificate readCertificate(Path file) {
        try {
            return Pem.readCertificate(file);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file);
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + " is not a PEM certificate");
        }
    }

    private static PrivateKey readPrivateKey(Path file, Path certificate, String algorithm) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file);
        }
        int begin = pem.indexOf(KEY_BEGIN);
        int end = pem.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            boolean otherPem = pem.contains("-----BEGIN ") && pem.contains(" PRIVATE KEY-----");
            throw new PkiException(file + " is not a PEM PKCS#8 private key (" + KEY_BEGIN + ")"
                    + (otherPem ? "; convert it with: openssl pkcs8 -topk8 -nocrypt" : ""));
        }
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.substring(begin + KEY_BEGIN.length(), end)));
        } catch (IllegalArgumentException e) {
            throw new PkiException(file + " is not a PEM PKCS#8 private key (its Base64 is broken)");
        }
        PrivateKey key = parse(spec, algorithm);
        if (key != null) {
            return key;
        }
        String other = KEY_ALGORITHMS.stream().filter(a -> parse(spec, a) != null).findFirst().orElse(null);
        if (other != null) {
            throw new PkiException(file + " is an " + other + " key, not the private key of " + certificate + " (" + algorithm + ")");
        }
        throw new PkiException(file + " is not a readable private key");
    }

    private static PrivateKey parse(PKCS8EncodedKeySpec spec, String algorithm) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(spec);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static void checkValid(X509Certificate cert, String label, Instant now) {
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new PkiException(label + " expired at " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new PkiException(label + " is not valid before " + cert.getNotBefore().toInstant());
        }
    }

    /** Whether {@code key} signs what {@code cert}'s public key verifies; true for key types it cannot try. */
    private static boolean pairs(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
