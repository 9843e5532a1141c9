package cxg.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL server (embedded, started once for the class), one database per test. */
class PostgresStoreTest extends StoreContractTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;
    private String url;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Override
    SubmissionStore openFresh() throws Exception {
        String name = "store_" + DATABASES.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        url = postgres.getJdbcUrl("postgres", name);
        return reopen();
    }

    @Test
    void theStoreKeepsWritingAndReadingAfterTheServerDroppedItsConnections() throws Exception {
        IncomingItem first = signed(rating("r-1", 712, NOW.plus(Duration.ofDays(90))), new byte[] {1, 2, 3});
        assertEquals(List.of(WriteOutcome.ACCEPTED), store.write(ALPHA, List.of(first), null, NOW));
        assertEquals(1, store.ratings(SUBJECT, NOW).size());

        String database = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            // as a server restart or an idle timeout would: every other session on the store's database ends
            try (ResultSet ended = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                    + " FROM pg_stat_activity WHERE datname = '" + database + "' AND pid <> pg_backend_pid()")) {
                ended.next();
                assertTrue(ended.getInt(1) >= 2, "the writer and the kept read connection were ended");
            }
        }

        IncomingItem second = signed(rating("r-2", 640, NOW.plus(Duration.ofDays(90))), new byte[] {4});
        assertEquals(List.of(WriteOutcome.ACCEPTED), store.write(ALPHA, List.of(second), null, NOW),
                "a write on the dropped connection is repeated on a new one: nothing of it had reached the server");
        assertEquals(List.of("r-1", "r-2"), store.ratings(SUBJECT, NOW).stream().map(StoredRating::itemId).sorted().toList());
    }

    @Override
    SubmissionStore reopen() {
        return SubmissionStore.open(url, "postgres", "", false);
    }
}
