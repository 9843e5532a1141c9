package cxg.scorer.transport;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Decides whether a TLS peer may call this connector: only the gateway's certificate may.
 * The TLS layer has already required a certificate issued by the member CA; this check
 * narrows "any member" down to "the gateway". Subjects compare as X.500 names, so spacing
 * and case of attribute keys do not matter.
 */
public final class CallerCheck {

    private final X500Principal allowed;

    /** @throws IllegalArgumentException naming the config key when the subject is not an X.500 name */
    public CallerCheck(String allowedSubject) {
        try {
            this.allowed = new X500Principal(allowedSubject);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "cxg.scorer.allowed-client-subject: must be an X.500 name, e.g. CN=gateway,OU=gateway,O=cxg-demo");
        }
    }

    public String allowedSubject() {
        return allowed.getName();
    }

    public enum Verdict {
        ALLOWED("allowed"),
        NO_TLS("not a TLS connection"),
        NO_CERTIFICATE("no client certificate"),
        NOT_ALLOWED("not the gateway's certificate");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        /** For the log line, e.g. "not the gateway's certificate". */
        public String reason() {
            return reason;
        }
    }

    /** @param caller the peer's certificate subject, or a placeholder when it has none */
    public record Decision(Verdict verdict, String caller) {
        public boolean allowed() {
            return verdict == Verdict.ALLOWED;
        }
    }

    public Decision check(SSLSession session) {
        if (session == null) {
            return new Decision(Verdict.NO_TLS, "<no TLS>");
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return new Decision(Verdict.NO_CERTIFICATE, "<no certificate>");
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
            return new Decision(Verdict.NO_CERTIFICATE, "<no certificate>");
        }
        X500Principal subject = ((X509Certificate) chain[0]).getSubjectX500Principal();
        return new Decision(subject.equals(allowed) ? Verdict.ALLOWED : Verdict.NOT_ALLOWED, subject.getName());
    }
}
