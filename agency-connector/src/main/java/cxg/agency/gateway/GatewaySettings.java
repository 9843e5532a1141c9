package cxg.agency.gateway;

import java.nio.file.Path;
import java.time.Duration;

/** Who the connector acts as, where its certificates are, and which gateway it calls. */
public record GatewaySettings(String member, Path pkiDir, GatewayEndpoint endpoint, Duration deadline) {
}
