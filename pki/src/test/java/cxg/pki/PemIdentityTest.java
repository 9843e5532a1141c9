package cxg.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemIdentityTest {

    @TempDir
    Path dir;
    private Path ca;
    private Path crt;
    private Path key;

    @BeforeEach
    void devPki() {
        DevPki.init(dir, false);
        ca = dir.resolve("ca.crt");
        crt = dir.resolve("alpha-credit.crt");
        key = dir.resolve("alpha-credit.key");
    }

    @Test
    void acceptsTheFilesOfPkiInit() {
        PemIdentity.check(ca, crt, key, Instant.now());
        PemIdentity.check(ca, dir.resolve("gateway.crt"), dir.resolve("gateway.key"), Instant.now());
    }

    @Test
    void namesACorruptKey() throws Exception {
        Files.writeString(key, "not a key\n");

        assertEquals(key + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----)", refusal());
    }

    @Test
    void tellsHowToConvertAKeyInAnotherPemFormat() throws Exception {
        Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");

        assertEquals(key + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8"
                + " -topk8 -nocrypt", refusal());
    }

    @Test
    void namesAKeyWhoseBytesAreNoKey() throws Exception {
        Files.writeString(key, Pem.encode("PRIVATE KEY", new byte[] {1, 2, 3, 4}));

        assertEquals(key + " is not a readable private key", refusal());
    }

    @Test
    void namesTheKeyOfAnotherMember() throws Exception {
        Files.copy(dir.resolve("beta-score.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertEquals(key + " is not the private key of " + crt, refusal());
    }

    @Test
    void namesAKeyOfAnotherType() throws Exception {
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Files.writeString(key, Pem.encode("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));

        assertEquals(key + " is an RSA key, not the private key of " + crt + " (EC)", refusal());
    }

    @Test
    void namesACertificateOfAnotherCa() throws Exception {
        Path foreign = dir.resolve("foreign");
        DevPki.createForeignCa(foreign, "alpha-credit");

        PkiException e = assertThrows(PkiException.class,
                () -> PemIdentity.check(ca, foreign.resolve("alpha-credit.crt"), foreign.resolve("alpha-credit.key"), Instant.now()));

        assertEquals(foreign.resolve("alpha-credit.crt") + " was not issued by the member CA in " + ca
                + " (its issuer is \"CN=cxg foreign CA,O=cxg-demo\")", e.getMessage());
    }

    @Test
    void namesAnExpiredCertificateAndOneNotYetValid() throws Exception {
        Instant notAfter = Pem.readCertificate(crt).getNotAfter().toInstant();
        Instant caNotBefore = Pem.readCertificate(ca).getNotBefore().toInstant();

        assertEquals(crt + " expired at " + notAfter, refusal(notAfter.plus(Duration.ofDays(1))));
        assertEquals(ca + " is not valid before " + caNotBefore, refusal(caNotBefore.minus(Duration.ofMinutes(1))));
    }

    @Test
    void warnsOfACertificateThatExpiresWithinTheNotice() throws Exception {
        Instant notAfter = Pem.readCertificate(crt).getNotAfter().toInstant();

        assertEquals(List.of(crt + " expires at " + notAfter + ", in 10 days: renew it before then"),
                PemIdentity.expiringSoon(notAfter.minus(Duration.ofDays(10)).minusSeconds(1), Duration.ofDays(30), ca, crt));
        assertEquals(List.of(), PemIdentity.expiringSoon(notAfter.minus(Duration.ofDays(31)), Duration.ofDays(30), ca, crt));
    }

    @Test
    void namesAFileThatIsNoCertificate() throws Exception {
        Files.writeString(ca, "garbage\n");

        assertEquals(ca + " is not a PEM certificate", refusal());
    }

    @Test
    void checksAKeyStoresEntryAsItChecksPemFiles() throws Exception {
        Path p12 = dir.resolve("alpha-credit.p12");
        PemIdentity.Credential alpha = entry(p12, "alpha-credit");
        PemIdentity.Credential betaKey = new PemIdentity.Credential(p12, alpha.certificate(),
                entry(dir.resolve("beta-score.p12"), "beta-score").key());
        Instant notAfter = alpha.certificate().getNotAfter().toInstant();

        PemIdentity.check(ca, alpha, Instant.now());
        assertEquals(p12 + "'s key is not the private key of its certificate",
                assertThrows(PkiException.class, () -> PemIdentity.check(ca, betaKey, Instant.now())).getMessage());
        assertEquals(p12 + "'s certificate expired at " + notAfter,
                assertThrows(PkiException.class, () -> PemIdentity.checkKeyPair(alpha, notAfter.plusSeconds(1))).getMessage());

        Path foreign = dir.resolve("foreign");
        DevPki.createForeignCa(foreign, "alpha-credit");
        Path foreignP12 = foreign.resolve("alpha-credit.p12");
        PkiException e = assertThrows(PkiException.class, () -> PemIdentity.check(ca, entry(foreignP12, "alpha-credit"), Instant.now()));
        assertEquals(foreignP12 + "'s certificate was not issued by the member CA in " + ca + " (its issuer is \"CN=cxg foreign CA,O=cxg-demo\")",
                e.getMessage());
    }

    @Test
    void takesTheKeyStoresFirstKeyWhenTheAliasIsNotOne() throws Exception {
        Path p12 = dir.resolve("alpha-credit.p12");

        assertEquals("CN=alpha-credit,OU=platform,O=cxg-demo",
                entry(p12, "no-such-alias").certificate().getSubjectX500Principal().getName());
        KeyStore trustOnly = keyStore(dir.resolve("truststore.p12"));
        assertEquals(dir.resolve("truststore.p12") + " holds no private key", assertThrows(PkiException.class,
                () -> PemIdentity.keyEntry(trustOnly, dir.resolve("truststore.p12"), DevPki.PASSWORD.toCharArray(), "gateway")).getMessage());
    }

    private static PemIdentity.Credential entry(Path p12, String alias) throws Exception {
        return PemIdentity.keyEntry(keyStore(p12), p12, DevPki.PASSWORD.toCharArray(), alias);
    }

    private static KeyStore keyStore(Path p12) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            store.load(in, DevPki.PASSWORD.toCharArray());
        }
        return store;
    }

    private String refusal() {
        return refusal(Instant.now());
    }

    private String refusal(Instant now) {
        return assertThrows(PkiException.class, () -> PemIdentity.check(ca, crt, key, now)).getMessage();
    }
}
