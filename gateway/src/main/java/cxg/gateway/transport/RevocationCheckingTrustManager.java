package cxg.gateway.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jboss.logging.Logger;

/**
 * Trusts exactly the member CA, and refuses certificates listed in the CA's CRL. The CRL file
 * is looked at on every handshake and re-read when it changed, so a revocation takes effect
 * without a restart. A CRL that does not parse or is not signed by the CA never replaces the
 * last good one; if there never was a good one, every certificate is refused (fail closed).
 * A missing CRL file means nothing is revoked.
 *
 * <p>Calls on connections opened before a revocation ({@link #isRevoked}) look at the file at most once
 * per {@link #CALL_RECHECK} (a stat on every call was a measurable part of the gateway's per-call cost):
 * a revocation refuses new handshakes at once and further calls on open connections within that bound.
 */
public final class RevocationCheckingTrustManager extends X509ExtendedTrustManager {

    private static final Logger LOG = Logger.getLogger(RevocationCheckingTrustManager.class);

    private final X509ExtendedTrustManager pkix;
    private final List<X509Certificate> cas;
    /** Longest a CRL change goes unnoticed by calls on open connections. */
    public static final Duration CALL_RECHECK = Duration.ofSeconds(1);

    private final Path crlFile;
    private final LongSupplier nanoTime;
    private final long recheckNanos;
    private volatile CrlState state = new CrlState(null, -1, null, false);
    /** {@link System#nanoTime()} from which a call looks at the CRL file again. */
    private volatile long callRecheckAt;

    private record CrlState(FileTime modified, long size, X509CRL lastGood, boolean unusable) {
    }

    public RevocationCheckingTrustManager(List<X509Certificate> cas, Path crlFile) {
        this(cas, crlFile, System::nanoTime, CALL_RECHECK);
    }

    /** @param nanoTime the clock of the per-call re-check interval ({@link System#nanoTime()} outside tests) */
    RevocationCheckingTrustManager(List<X509Certificate> cas, Path crlFile, LongSupplier nanoTime, Duration callRecheck) {
        this.nanoTime = nanoTime;
        this.recheckNanos = callRecheck.toNanos();
        this.callRecheckAt = nanoTime.getAsLong();
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to trust");
        }
        this.cas = List.copyOf(cas);
        this.crlFile = crlFile;
        this.pkix = pkixTrustManager(this.cas);
    }

    private static X509ExtendedTrustManager pkixTrustManager(List<X509Certificate> cas) {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(anchors);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager for the member CA", e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        client(chain, () -> pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        client(chain, () -> pkix.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        client(chain, () -> pkix.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        checkNotRevoked(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        checkNotRevoked(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        checkNotRevoked(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return cas.toArray(new X509Certificate[0]);
    }

    private interface Check {
        void run() throws CertificateException;
    }

    /** Client checks log who was refused: subject, issuer and serial, nothing secret. */
    private void client(X509Certificate[] chain, Check pkixCheck) throws CertificateException {
        try {
            pkixCheck.run();
            checkNotRevoked(chain);
        } catch (CertificateException e) {
            if (chain != null && chain.length > 0) {
                X509Certificate leaf = chain[0];
                LOG.warnf("TLS handshake refused: client certificate subject=\"%s\" issuer=\"%s\" serial=%s: %s",
                        leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(),
                        serialHex(leaf), e.getMessage());
            } else {
                LOG.warn("TLS handshake refused: no client certificate");
            }
            throw e;
        }
    }

    public static String serialHex(X509Certificate cert) {
        return cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    /**
     * Whether {@code cert} is revoked by the current CRL, for connections made before the revocation; the file
     * is looked at again (and re-read if it changed) when {@link #CALL_RECHECK} has passed since the last look,
     * by a call or a handshake. With no usable CRL every certificate counts as revoked (fail closed, as at the
     * handshake).
     */
    public boolean isRevoked(X509Certificate cert) {
        try {
            X509CRL crl = nanoTime.getAsLong() - callRecheckAt >= 0 ? currentCrl() : crlOf(state);
            return crl != null && crl.isRevoked(cert);
        } catch (CertificateException e) {
            return true;
        }
    }

    private void checkNotRevoked(X509Certificate[] chain) throws CertificateException {
        X509CRL crl = currentCrl();
        if (crl != null && crl.isRevoked(chain[0])) {
            throw new CertificateException("certificate serial " + serialHex(chain[0]) + " is revoked");
        }
    }

    /** The CRL to check against, or null when there is no CRL file. */
    private X509CRL currentCrl() throws CertificateException {
        long lookedAt = nanoTime.getAsLong();
        FileTime modified;
        long size;
        try {
            BasicFileAttributes attributes = Files.readAttributes(crlFile, BasicFileAttributes.class);
            modified = attributes.lastModifiedTime();
            size = attributes.size();
        } catch (NoSuchFileException e) {
            modified = null;
            size = -1;
        } catch (IOException e) {
            throw new CertificateException("cannot read the CRL " + crlFile, e);
        }
        CrlState seen = state;
        if (!(sameTime(seen.modified(), modified) && seen.size() == size)) {
            seen = reload(modified, size);
        }
        // only once the state is up to date: a call meanwhile looks too, and waits for the reload
        callRecheckAt = lookedAt + recheckNanos;
        return crlOf(seen);
    }

    /** The CRL of a state as last seen: null when there was no CRL file. */
    private X509CRL crlOf(CrlState seen) throws CertificateException {
        if (seen.modified() == null) {
            return null;
        }
        if (seen.lastGood() == null && seen.unusable()) {
            throw new CertificateException("no usable CRL at " + crlFile);
        }
        return seen.lastGood();
    }

    private static boolean sameTime(FileTime a, FileTime b) {
        return a == null ? b == null : a.equals(b);
    }

    private synchronized CrlState reload(FileTime modified, long size) {
        CrlState previous = state;
        if (sameTime(previous.modified(), modified) && previous.size() == size) {
            return previous;
        }
        CrlState next;
        if (modified == null) {
            LOG.infof("no CRL at %s: revocation is not checked until one appears", crlFile);
            next = new CrlState(null, -1, previous.lastGood(), false);
        } else {
            try {
                X509CRL crl = readVerified(crlFile);
                LOG.infof("loaded CRL %s (%d revoked)", crlFile,
                        crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size());
                next = new CrlState(modified, size, crl, false);
            } catch (IOException | GeneralSecurityException e) {
                LOG.errorf("ignoring CRL %s (%s); %s", crlFile, e.getMessage(),
                        previous.lastGood() != null ? "keeping the last good CRL" : "refusing all certificates until it is fixed");
                next = new CrlState(modified, size, previous.lastGood(), true);
            }
        }
        state = next;
        return next;
    }

    private X509CRL readVerified(Path file) throws IOException, GeneralSecurityException {
        X509CRL crl;
        try (InputStream in = Files.newInputStream(file)) {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        }
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                crl.verify(ca.getPublicKey());
                return crl;
            }
        }
        throw new GeneralSecurityException("CRL issuer is not the member CA");
    }
}
