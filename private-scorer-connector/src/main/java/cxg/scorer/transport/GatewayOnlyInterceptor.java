package cxg.scorer.transport;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Closes every call whose TLS peer is not the gateway, and logs who tried. */
@GlobalInterceptor
@Singleton
public class GatewayOnlyInterceptor implements ServerInterceptor {

    private static final Logger LOG = Logger.getLogger(GatewayOnlyInterceptor.class);

    private final CallerCheck callerCheck;

    public GatewayOnlyInterceptor(CallerCheck callerCheck) {
        this.callerCheck = callerCheck;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        CallerCheck.Decision decision = callerCheck.check(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (decision.allowed()) {
            return next.startCall(call, headers);
        }
        LOG.warnf("Refused %s from %s at %s: %s", call.getMethodDescriptor().getFullMethodName(),
                decision.caller(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), decision.verdict().reason());
        call.close(GrpcErrors.forCaller(decision), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
