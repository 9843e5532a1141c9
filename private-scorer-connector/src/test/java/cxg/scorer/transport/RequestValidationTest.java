package cxg.scorer.transport;

import cxg.v1.ScorerRequest;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestValidationTest {

    private static ScorerRequest.Builder valid() {
        return ScorerRequest.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE)
                        .setValue("91350100M000100Y43"))
                .setPurpose("loan-eligibility");
    }

    private static String refusal(ScorerRequest request) {
        Status status = ScorerGrpcService.validate(request).orElseThrow();
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        return status.getDescription();
    }

    @Test
    void acceptsAWellFormedRequest() {
        assertTrue(ScorerGrpcService.validate(valid().build()).isEmpty());
    }

    @Test
    void namesTheMissingSubject() {
        assertEquals("subject: required", refusal(valid().clearSubject().build()));
    }

    @Test
    void namesASubjectValueOfTheWrongShape() {
        assertEquals("subject.value: must be 18 characters of digits and upper-case letters",
                refusal(valid().setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID)
                        .setValue("11010519491231002x")).build()));
        assertEquals("subject.value: must be 18 characters of digits and upper-case letters",
                refusal(valid().setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID)
                        .setValue("1101051949123100")).build()));
    }

    @Test
    void namesTheMissingPurpose() {
        assertEquals("purpose: required", refusal(valid().setPurpose(" ").build()));
    }
}
