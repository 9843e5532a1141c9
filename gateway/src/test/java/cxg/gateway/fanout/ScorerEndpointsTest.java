package cxg.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cxg.gateway.policy.Member;
import cxg.gateway.policy.MemberKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScorerEndpointsTest {

    private static Member platform(String id, String endpoint) {
        return Member.of(id, MemberKind.PLATFORM, "CN=" + id + ",OU=platform,O=cxg-demo", endpoint, id);
    }

    @Test
    void overrideWinsOverPolicyAndPlatformsWithoutEndpointAreLeftOut() {
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of("beta-score", "127.0.0.1:9502"));

        List<ScorerTarget> targets = endpoints.targets(List.of(
                platform("alpha-credit", " 127.0.0.1:7501 "), platform("beta-score", "127.0.0.1:7502"), platform("gamma", null)));

        assertEquals(List.of(
                new ScorerTarget("alpha-credit", "127.0.0.1:7501", "CN=alpha-credit,OU=platform,O=cxg-demo"),
                new ScorerTarget("beta-score", "127.0.0.1:9502", "CN=beta-score,OU=platform,O=cxg-demo")), targets);
    }

    @Test
    void reloadedPolicyWithAnotherEndpointIsFollowedOnTheNextQuery() {
        ScorerEndpoints endpoints = new ScorerEndpoints(Map.of());
        List<Member> before = List.of(platform("alpha-credit", "127.0.0.1:7501"));
        assertEquals("127.0.0.1:7501", endpoints.targets(before).get(0).endpoint());
        assertEquals("127.0.0.1:7501", endpoints.targets(before).get(0).endpoint());

        List<Member> after = List.of(platform("alpha-credit", "127.0.0.1:8501"));

        assertEquals("127.0.0.1:8501", endpoints.targets(after).get(0).endpoint());
        assertEquals("127.0.0.1:7501", endpoints.targets(before).get(0).endpoint());
    }
}
