package cxg.gateway.transport;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Accepts a server only if the member CA trusts it and its certificate carries one expected
 * subject (compared as X.500 names): the gateway talks to alpha-credit's connector only when
 * that connector proves to be alpha-credit's.
 */
final class PeerSubjectTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager trusted;
    private final X500Principal expected;

    PeerSubjectTrustManager(X509ExtendedTrustManager trusted, String expectedSubject) {
        this.trusted = trusted;
        this.expected = new X500Principal(expectedSubject);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trusted.checkServerTrusted(chain, authType);
        checkSubject(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trusted.checkServerTrusted(chain, authType, socket);
        checkSubject(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        trusted.checkServerTrusted(chain, authType, engine);
        checkSubject(chain);
    }

    private void checkSubject(X509Certificate[] chain) throws CertificateException {
        X500Principal actual = chain[0].getSubjectX500Principal();
        if (!expected.equals(actual)) {
            throw new CertificateException("server certificate subject \"" + actual.getName() + "\" is not the expected \""
                    + expected.getName() + "\"");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trusted.getAcceptedIssuers();
    }
}
