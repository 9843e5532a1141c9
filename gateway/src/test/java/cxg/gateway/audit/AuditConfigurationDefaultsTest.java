package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.runtime.configuration.DurationConverter;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The audit benchmark measures "the gateway's commit delay" with {@link AuditLog.Options#gatewayGrouping}: it must be the gateway's. */
class AuditConfigurationDefaultsTest {

    @Test
    void theBenchmarksGatewayGroupingIsTheGatewaysConfiguredDefault() {
        AuditLog.Options grouping = AuditLog.Options.gatewayGrouping("o");
        assertEquals(grouping.commitDelay(), DurationConverter.parseDuration(defaultOf("cxg.audit.commit-delay")));
        assertEquals(grouping.commitSiblings(), Integer.parseInt(defaultOf("cxg.audit.commit-siblings")));
    }

    private static String defaultOf(String property) {
        Method producer = Arrays.stream(AuditConfiguration.class.getDeclaredMethods())
                .filter(m -> m.getName().equals("auditLog")).findFirst().orElseThrow();
        return Arrays.stream(producer.getParameters())
                .map(Parameter::getAnnotations).flatMap(Arrays::stream)
                .filter(a -> a instanceof ConfigProperty c && c.name().equals(property))
                .map(a -> ((ConfigProperty) a).defaultValue()).findFirst().orElseThrow(() -> new AssertionError(property + " is not configured"));
    }
}
