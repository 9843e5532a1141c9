package cxg.gateway.transport;

import cxg.gateway.audit.AuditEntry;
import cxg.gateway.audit.AuditRecorder;
import cxg.gateway.policy.Decision;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Refuses a call that failed authentication or authorisation in an interceptor, after recording the
 * refusal in the audit log: who (member, or the certificate subject of a non-member), which method, the
 * status, and the rule that refused it. The append is asynchronous, so the calling thread (an event loop)
 * never waits for the disk; the call is closed when the entry is durable. If it cannot be recorded the
 * call is refused all the same and the loss is logged.
 */
@Singleton
public final class AuditedRefusals {

    private static final Logger LOG = Logger.getLogger(AuditedRefusals.class);
    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {
    };

    private final AuditRecorder recorder;

    public AuditedRefusals(AuditRecorder recorder) {
        this.recorder = recorder;
    }

    /**
     * @param who  the member, or the certificate subject when it is no member
     * @param role the member's kind, or null when unknown
     * @param rule the check that refused, e.g. {@code token-binding}, {@code role-separation}, {@code unknown-member}
     */
    @SuppressWarnings("unchecked")
    public <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Failure failure, String who, String role, String rule) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        AuditEntry entry = recorder.entry(method.getServiceName(), method.getBareMethodName())
                .caller(who, role)
                .decision(Decision.deny(rule, failure.message()))
                .outcome(failure.reason().name());
        recorder.record(entry).whenComplete((index, error) -> {
            if (error != null) {
                LOG.errorf("refusal of %s (%s, rule %s) could not be audited: %s", method.getFullMethodName(), who, rule,
                        error.getClass().getSimpleName());
            }
            StatusMapping.refuse(call, failure);
        });
        return (ServerCall.Listener<Q>) NOOP;
    }
}
