package cxg.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {

    @TempDir
    Path dir;

    @Test
    void initIssuesEveryDemoMemberACertificateThatChainsToTheCa() throws Exception {
        DevPki.init(dir, false);
        X509Certificate ca = Pem.readCertificate(dir.resolve("ca.crt"));
        assertTrue(ca.getBasicConstraints() >= 0, "CA certificate must say CA:true");

        for (var member : DevPki.DEMO_MEMBERS.entrySet()) {
            String name = member.getKey();
            KeyStore ks = load(dir.resolve(name + ".p12"));
            assertTrue(ks.isKeyEntry(name), name + ".p12 holds a key under alias " + name);
            var chain = ks.getCertificateChain(name);
            assertEquals(2, chain.length, "chain includes the CA");
            X509Certificate leaf = (X509Certificate) chain[0];
            validate(leaf, ca, null);
            assertEquals("CN=" + name + ",OU=" + member.getValue() + ",O=cxg-demo",
                    leaf.getSubjectX500Principal().getName());
            assertTrue(leaf.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
            Set<String> sans = leaf.getSubjectAlternativeNames().stream()
                    .map(san -> san.get(1).toString()).collect(Collectors.toSet());
            assertEquals(Set.of("localhost", "127.0.0.1"), sans);
            assertEquals(leaf, Pem.readCertificate(dir.resolve(name + ".crt")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name + ".key"))));
            assertTrue(Files.readString(dir.resolve(name + ".key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        }
        X509CRL crl = Pem.readCrl(dir.resolve("ca.crl"));
        crl.verify(ca.getPublicKey());
        assertTrue(crl.getRevokedCertificates() == null || crl.getRevokedCertificates().isEmpty());
        assertTrue(load(dir.resolve("truststore.p12")).isCertificateEntry("ca"));
    }

    @Test
    void initTwiceKeepsTheExistingCertificates() throws Exception {
        DevPki.init(dir, false);
        X509Certificate before = DevPki.open(dir).certificate("court");

        List<PkiFile> second = DevPki.init(dir, false);

        assertTrue(second.stream().allMatch(f -> f.outcome() == PkiFile.Outcome.KEPT), second.toString());
        assertEquals(before.getSerialNumber(), DevPki.open(dir).certificate("court").getSerialNumber());
    }

    @Test
    void initReissuesOnlyAMissingMemberFile() throws Exception {
        DevPki.init(dir, false);
        X509Certificate court = DevPki.open(dir).certificate("court");
        X509Certificate railway = DevPki.open(dir).certificate("railway");
        Files.delete(dir.resolve("railway.key"));

        List<PkiFile> files = DevPki.init(dir, false);

        assertTrue(files.contains(new PkiFile(dir.resolve("railway.key"), PkiFile.Outcome.CREATED)));
        assertEquals(court.getSerialNumber(), DevPki.open(dir).certificate("court").getSerialNumber());
        assertNotEquals(railway.getSerialNumber(), DevPki.open(dir).certificate("railway").getSerialNumber());
    }

    @Test
    void forceReissuesEverythingUnderANewCa() throws Exception {
        DevPki.init(dir, false);
        X509Certificate oldCa = DevPki.open(dir).caCertificate();
        X509Certificate oldCourt = DevPki.open(dir).certificate("court");

        List<PkiFile> files = DevPki.init(dir, true);

        assertTrue(files.stream().allMatch(f -> f.outcome() == PkiFile.Outcome.CREATED));
        DevPki pki = DevPki.open(dir);
        assertNotEquals(oldCa, pki.caCertificate());
        assertNotEquals(oldCourt.getSerialNumber(), pki.certificate("court").getSerialNumber());
        validate(pki.certificate("court"), pki.caCertificate(), null);
        assertThrows(CertPathValidatorException.class, () -> validate(oldCourt, pki.caCertificate(), null));
    }

    @Test
    void revokeListsTheMembersSerialInASignedCrl() throws Exception {
        DevPki.init(dir, false);
        DevPki pki = DevPki.open(dir);
        X509Certificate court = pki.certificate("court");
        X509Certificate railway = pki.certificate("railway");

        pki.revoke("court");
        pki.revoke("railway");
        pki.revoke("court");

        X509CRL crl = pki.crl();
        crl.verify(pki.caCertificate().getPublicKey());
        assertTrue(crl.isRevoked(court));
        assertTrue(crl.isRevoked(railway));
        assertFalse(crl.isRevoked(pki.certificate("gateway")));
        assertEquals(2, crl.getRevokedCertificates().size(), "revoking twice lists the serial once");
        assertThrows(CertPathValidatorException.class, () -> validate(court, pki.caCertificate(), crl));
        validate(pki.certificate("gateway"), pki.caCertificate(), crl);
    }

    @Test
    void issueMakesAnExtraMemberFromTheSameCa() throws Exception {
        DevPki.init(dir, false);
        DevPki pki = DevPki.open(dir);

        pki.issue("tax-bureau", "agency");

        X509Certificate cert = pki.certificate("tax-bureau");
        validate(cert, pki.caCertificate(), pki.crl());
        assertEquals("CN=tax-bureau,OU=agency,O=cxg-demo", cert.getSubjectX500Principal().getName());
        assertTrue(load(dir.resolve("tax-bureau.p12")).getKey("tax-bureau", "changeit".toCharArray()) instanceof PrivateKey);
    }

    @Test
    void issueRejectsAnUnknownKindAndABadName() {
        DevPki.init(dir, false);
        DevPki pki = DevPki.open(dir);
        PkiException kind = assertThrows(PkiException.class, () -> pki.issue("x", "bank"));
        assertTrue(kind.getMessage().contains("kind"));
        PkiException name = assertThrows(PkiException.class, () -> pki.issue("../evil", "agency"));
        assertTrue(name.getMessage().contains("name"));
    }

    @Test
    void foreignCaLeafLooksLikeAMemberButDoesNotChainToTheMemberCa(@TempDir Path foreignDir) throws Exception {
        DevPki.init(dir, false);
        DevPki foreign = DevPki.createForeignCa(foreignDir, "court");
        X509Certificate impostor = foreign.certificate("court");

        assertEquals("CN=court,OU=agency,O=cxg-demo", impostor.getSubjectX500Principal().getName());
        validate(impostor, foreign.caCertificate(), null);
        assertThrows(CertPathValidatorException.class,
                () -> validate(impostor, DevPki.open(dir).caCertificate(), null));
    }

    @Test
    void openWithoutACaSaysToRunInit() {
        PkiException e = assertThrows(PkiException.class, () -> DevPki.open(dir));
        assertTrue(e.getMessage().contains("pki init"), e.getMessage());
    }

    private static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    /** PKIX path validation of one leaf against the CA, with the CRL checked when given. */
    private static void validate(X509Certificate leaf, X509Certificate ca, X509CRL crl) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(crl != null);
        if (crl != null) {
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crl))));
        }
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }
}
