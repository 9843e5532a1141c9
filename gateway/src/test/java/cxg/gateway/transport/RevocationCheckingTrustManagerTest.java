package cxg.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.pki.DevPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationCheckingTrustManagerTest {

    @TempDir
    Path dir;
    DevPki pki;
    RevocationCheckingTrustManager trust;

    @BeforeEach
    void setUp() {
        DevPki.init(dir, false);
        pki = DevPki.open(dir);
        trust = new RevocationCheckingTrustManager(List.of(pki.caCertificate()), dir.resolve("ca.crl"));
    }

    /** Calls on open connections look at {@code crl} again once a second of {@code nanos} has passed. */
    private RevocationCheckingTrustManager rechecking(Path crl, AtomicLong nanos) {
        return new RevocationCheckingTrustManager(List.of(pki.caCertificate()), crl, nanos::get, Duration.ofSeconds(1));
    }

    private X509Certificate[] chain(String member) {
        return new X509Certificate[] {pki.certificate(member), pki.caCertificate()};
    }

    @Test
    void trustsMembersOfTheCa() {
        assertDoesNotThrow(() -> trust.checkClientTrusted(chain("court"), "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> trust.checkServerTrusted(chain("alpha-credit"), "ECDHE_ECDSA"));
    }

    @Test
    void refusesACertificateFromAForeignCa() {
        Path other = dir.resolve("foreign");
        DevPki foreign = DevPki.createForeignCa(other, "court");
        X509Certificate[] chain = {foreign.certificate("court"), foreign.caCertificate()};
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(chain, "ECDHE_ECDSA"));
    }

    @Test
    void refusesARevokedCertificateAsSoonAsTheCrlChanges() {
        X509Certificate[] court = chain("court");
        assertDoesNotThrow(() -> trust.checkClientTrusted(court, "ECDHE_ECDSA"));

        pki.revoke("court");

        CertificateException e = assertThrows(CertificateException.class, () -> trust.checkClientTrusted(court, "ECDHE_ECDSA"));
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
        assertDoesNotThrow(() -> trust.checkClientTrusted(chain("railway"), "ECDHE_ECDSA"));
    }

    @Test
    void aBrokenCrlNeverUndoesARevocation() throws Exception {
        X509Certificate[] court = chain("court");
        pki.revoke("court");
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(court, "ECDHE_ECDSA"));

        Path crl = dir.resolve("ca.crl");
        Files.writeString(crl, "-----BEGIN X509 CRL-----\ngarbage\n-----END X509 CRL-----\n");
        Files.setLastModifiedTime(crl, FileTime.from(Instant.now().plusSeconds(5)));

        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(court, "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(chain("railway"), "ECDHE_ECDSA"));
    }

    @Test
    void refusesEveryoneWhenTheOnlyCrlIsNotSignedByTheCa() throws Exception {
        Path other = dir.resolve("foreign");
        DevPki.createForeignCa(other, "court");
        Files.copy(other.resolve("ca.crl"), dir.resolve("ca.crl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        RevocationCheckingTrustManager fresh = new RevocationCheckingTrustManager(List.of(pki.caCertificate()), dir.resolve("ca.crl"));
        assertThrows(CertificateException.class, () -> fresh.checkClientTrusted(chain("railway"), "ECDHE_ECDSA"));
    }

    @Test
    void callsOnOpenConnectionsSeeARevocationWithinTheRecheckInterval() {
        AtomicLong nanos = new AtomicLong();
        RevocationCheckingTrustManager calls = rechecking(dir.resolve("ca.crl"), nanos);
        X509Certificate court = pki.certificate("court");
        assertFalse(calls.isRevoked(court));

        pki.revoke("court");
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertFalse(calls.isRevoked(court), "the CRL file is looked at again only once the interval has passed");
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertTrue(calls.isRevoked(court));
        assertFalse(calls.isRevoked(pki.certificate("railway")));
    }

    @Test
    void aHandshakeMakesARevocationVisibleToCallsAtOnce() {
        AtomicLong nanos = new AtomicLong();
        RevocationCheckingTrustManager calls = rechecking(dir.resolve("ca.crl"), nanos);
        X509Certificate court = pki.certificate("court");
        assertFalse(calls.isRevoked(court));

        pki.revoke("court");
        assertThrows(CertificateException.class, () -> calls.checkClientTrusted(chain("court"), "ECDHE_ECDSA"));
        assertTrue(calls.isRevoked(court));
    }

    @Test
    void aCrlThatBecomesUnreadableRefusesCallsOnceTheIntervalHasPassed() throws Exception {
        AtomicLong nanos = new AtomicLong();
        Path crl = dir.resolve("ca.crl");
        Files.delete(crl);
        RevocationCheckingTrustManager fresh = rechecking(crl, nanos);
        X509Certificate court = pki.certificate("court");
        assertFalse(fresh.isRevoked(court), "no CRL file: nothing is revoked");

        Files.writeString(crl, "-----BEGIN X509 CRL-----\ngarbage\n-----END X509 CRL-----\n");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(fresh.isRevoked(court), "a CRL that never parsed fails closed");
    }
}
