package cxg.gateway.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on embedded H2 in file mode, in a temporary directory. */
class H2StoreTest extends StoreContractTest {

    @TempDir
    Path dir;

    @Override
    SubmissionStore openFresh() {
        return reopen();
    }

    @Override
    SubmissionStore reopen() {
        return SubmissionStore.open(SubmissionStore.h2Url(dir), "sa", "", false);
    }
}
