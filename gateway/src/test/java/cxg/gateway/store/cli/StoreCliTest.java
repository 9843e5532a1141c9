package cxg.gateway.store.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import cxg.gateway.store.IncomingItem;
import cxg.gateway.store.SubmissionStore;
import cxg.gateway.testing.TestPolicies;
import cxg.v1.RatingSubmission;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubmissionItem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cxg store purge}: the retention job on demand, against a store on disk. */
class StoreCliTest {

    @TempDir
    Path dir;

    @Test
    void purgeRemovesWhatEndedLongerAgoThanPolicyKeepsItAndSaysHowMany() throws Exception {
        String url = SubmissionStore.h2Url(dir.resolve("data"));
        Instant now = Instant.now();
        try (SubmissionStore store = SubmissionStore.open(url, "sa", "", false)) {
            store.write("alpha-credit", List.of(
                    item("long-expired", now.minus(Duration.ofDays(40))),
                    item("just-expired", now.minus(Duration.ofDays(2))),
                    item("valid", now.plus(Duration.ofDays(20)))), null, now.minus(Duration.ofDays(100)));
        }

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StoreCli.run(new String[] {"purge", "--url", url, "--policy-dir",
                TestPolicies.copyTo(dir.resolve("policies")).toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

        assertEquals(0, code, err.toString());
        assertTrue(out.toString().startsWith("removed 1 items: 1 ratings"), out.toString());
        try (SubmissionStore store = SubmissionStore.open(url, "sa", "", false)) {
            assertEquals(2, store.count("alpha-credit"), "kept: expired within the 30 days policy keeps, and valid");
        }
    }

    @Test
    void anInvalidPolicySetIsNamedAndChangesNothing() {
        StringWriter err = new StringWriter();
        int code = StoreCli.run(new String[] {"purge", "--url", SubmissionStore.h2Url(dir.resolve("data")), "--policy-dir",
                dir.resolve("no-policies").toString()}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));

        assertEquals(2, code);
        assertTrue(err.toString().contains("invalid"), err.toString());
    }

    private static IncomingItem item(String id, Instant validUntil) throws Exception {
        SubmissionItem item = SubmissionItem.newBuilder().setItemId(id).setRating(RatingSubmission.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue("11010519491231002X"))
                .setValue(700).setScaleId("alpha-credit").setTier("excellent")
                .setComputedAt(Timestamp.newBuilder().setSeconds(validUntil.minus(Duration.ofDays(90)).getEpochSecond()))
                .setValidUntil(Timestamp.newBuilder().setSeconds(validUntil.getEpochSecond()))).build();
        byte[] payload = item.toByteArray();
        return new IncomingItem(item, payload, MessageDigest.getInstance("SHA-256").digest(payload), new byte[64], -1);
    }
}
