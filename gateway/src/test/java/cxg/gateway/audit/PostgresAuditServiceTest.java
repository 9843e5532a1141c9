package cxg.gateway.audit;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The same audit wiring on PostgreSQL (embedded server). */
@QuarkusTest
@QuarkusTestResource(value = AuditGatewayTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "store", value = "postgresql"))
class PostgresAuditServiceTest extends AuditServiceContractTest {

    @Override
    List<byte[]> storedBytes() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(AuditGatewayTestResource.jdbcUrl, "postgres", "");
             Statement s = c.createStatement()) {
            for (String q : List.of("SELECT data FROM audit_entry", "SELECT data FROM audit_tile", "SELECT convert_to(note, 'UTF8') FROM audit_checkpoint")) {
                try (ResultSet rs = s.executeQuery(q)) {
                    while (rs.next()) {
                        out.add(rs.getBytes(1));
                    }
                }
            }
        }
        return out;
    }
}
