package cxg.gateway.transport;

import cxg.gateway.policy.Member;
import io.grpc.Context;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * The member on whose behalf the current gRPC call runs, established once per call from
 * the TLS client certificate by {@link CallerIdentityInterceptor}; later checks (the token's
 * certificate binding) use this certificate instead of reading the TLS session again.
 */
public record Caller(Member member, X509Certificate certificate) {

    static final Context.Key<Caller> KEY = Context.key("cxg-caller");

    public Caller {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** @throws IllegalStateException outside a call that passed the identity interceptor */
    public static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this gRPC context");
        }
        return caller;
    }
}
