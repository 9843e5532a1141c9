package cxg.gateway.policy;

public enum MemberKind {
    AGENCY, PLATFORM, AUDITOR
}
