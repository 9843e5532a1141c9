package cxg.agency.api;

import cxg.agency.gateway.CredentialsUnavailableException;
import cxg.agency.gateway.FailureKind;
import cxg.agency.gateway.GatewayClient;
import cxg.agency.gateway.GatewayEndpoint;
import cxg.agency.gateway.GatewayFailure;
import cxg.agency.gateway.GatewaySettings;
import cxg.agency.gateway.MemberCredentials;
import cxg.agency.gateway.QueryOutcome;
import cxg.agency.gateway.RestrictionOutcome;
import cxg.v1.RestrictionCheck;
import cxg.v1.ScoreQuery;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The REST API's connection to the gateway, as the configured member. The client is opened at
 * start-up, and again on use after a failure to load credentials, so that the connector can start
 * before the PKI exists and pick it up once it does.
 */
@ApplicationScoped
public class AgencyGateway {

    private static final Logger LOG = Logger.getLogger(AgencyGateway.class);

    private final String member;
    private final Path pkiDir;
    private final String address;
    private final Duration deadline;
    private GatewayClient client;

    AgencyGateway(@ConfigProperty(name = "cxg.member", defaultValue = "court") String member,
            @ConfigProperty(name = "cxg.pki.dir", defaultValue = ".cxg/pki") String pkiDir,
            @ConfigProperty(name = "cxg.gateway.address", defaultValue = "127.0.0.1:7443") String address,
            @ConfigProperty(name = "cxg.gateway.deadline", defaultValue = "3s") Duration deadline) {
        this.member = member;
        this.pkiDir = Path.of(pkiDir);
        this.address = address;
        this.deadline = deadline;
    }

    /**
     * Loads the credentials and starts connecting while the app starts, so that the first query
     * does not pay for class loading and the TLS handshake inside its deadline.
     */
    void warmUp(@Observes StartupEvent event) {
        Opened opened = open();
        if (opened.client() != null) {
            opened.client().connectInBackground();
        }
    }

    public QueryOutcome query(ScoreQuery query) {
        Opened opened = open();
        return opened.client() != null ? opened.client().queryScore(query) : new QueryOutcome.Failed(opened.failure());
    }

    public RestrictionOutcome checkRestriction(RestrictionCheck check) {
        Opened opened = open();
        return opened.client() != null ? opened.client().checkRestriction(check) : new RestrictionOutcome.Failed(opened.failure());
    }

    /** The open client, or the failure that keeps it from opening. */
    private record Opened(GatewayClient client, GatewayFailure failure) {
    }

    private synchronized Opened open() {
        if (client != null) {
            return new Opened(client, null);
        }
        Optional<GatewayEndpoint> endpoint = GatewayEndpoint.parse(address);
        if (endpoint.isEmpty()) {
            LOG.errorf("cxg.gateway.address is not HOST:PORT: '%s'", address);
            return new Opened(null, GatewayFailure.of(FailureKind.INTERNAL,
                    "connector misconfigured: cxg.gateway.address is not HOST:PORT"));
        }
        try {
            client = GatewayClient.open(new GatewaySettings(member, pkiDir, endpoint.get(), deadline));
            return new Opened(client, null);
        } catch (CredentialsUnavailableException e) {
            LOG.errorf("cannot act as member %s: %s", member, e.failure().message());
            return new Opened(null, e.failure());
        }
    }

    /** Whether the member's certificate, key and the CA certificate are in place. */
    public boolean credentialsPresent() {
        return MemberCredentials.present(pkiDir, member);
    }

    public String member() {
        return member;
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
