package cxg.gateway.audit;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The audit wiring on the embedded default: tiles and entries in a directory. */
@QuarkusTest
@QuarkusTestResource(value = AuditGatewayTestResource.class, restrictToAnnotatedClass = true)
class DirectoryAuditServiceTest extends AuditServiceContractTest {

    @Override
    List<byte[]> storedBytes() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(AuditGatewayTestResource.auditDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }
}
