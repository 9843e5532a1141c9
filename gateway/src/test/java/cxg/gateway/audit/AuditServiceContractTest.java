package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cxg.audit.verify.VerifyCli;
import cxg.v1.AuditDecision;
import cxg.v1.AuditFilter;
import cxg.v1.AuditRecord;
import cxg.v1.AuditServiceGrpc;
import cxg.v1.CheckpointRequest;
import cxg.v1.ExportRequest;
import cxg.v1.ExportResponse;
import cxg.v1.InclusionProof;
import cxg.v1.ListEntriesRequest;
import cxg.v1.ListEntriesResponse;
import cxg.v1.QueryServiceGrpc;
import cxg.v1.ScoreQuery;
import cxg.v1.ScoreReport;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import cxg.v1.SubjectReportRequest;
import cxg.v1.SubjectReportResponse;
import cxg.v1.Withheld;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit wiring as members meet it over mutual TLS: queries are recorded, the audit service
 * answers by role, and an export verifies with the independent verifier. Runs once per store
 * (subclasses pick the directory store or PostgreSQL). Each test uses subjects of its own.
 */
abstract class AuditServiceContractTest {

    private static final Map<String, ManagedChannel> CHANNELS = new ConcurrentHashMap<>();

    /** Every byte the store keeps about entries (files, rows). */
    abstract List<byte[]> storedBytes() throws Exception;

    @AfterAll
    static void closeChannels() {
        CHANNELS.values().forEach(ManagedChannel::shutdownNow);
        CHANNELS.clear();
    }

    private static ManagedChannel channel(String member) {
        return CHANNELS.computeIfAbsent(member + "@" + AuditGatewayTestResource.grpcPort, k -> {
            try {
                Path pki = AuditGatewayTestResource.pki;
                return NettyChannelBuilder.forAddress("127.0.0.1", AuditGatewayTestResource.grpcPort)
                        .sslContext(GrpcSslContexts.forClient().trustManager(pki.resolve("ca.crt").toFile())
                                .keyManager(pki.resolve(member + ".crt").toFile(), pki.resolve(member + ".key").toFile()).build())
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static QueryServiceGrpc.QueryServiceBlockingStub query(String member) {
        return QueryServiceGrpc.newBlockingStub(channel(member)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static AuditServiceGrpc.AuditServiceBlockingStub audit(String member) {
        return AuditServiceGrpc.newBlockingStub(channel(member)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** A valid resident identity number (ISO 7064 MOD 11-2 check character) ending in the given serial. */
    static String residentId(int serial) {
        String body = String.format("11010519900101%03d", serial);
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (body.charAt(i) - '0') * ((1 << (17 - i)) % 11);
        }
        int check = (12 - sum % 11) % 11;
        return body + (check == 10 ? "X" : Integer.toString(check));
    }

    static SubjectId subject(String id) {
        return SubjectId.newBuilder().setKind(SubjectKind.RESIDENT_ID).setValue(id).build();
    }

    static ScoreQuery scoreQuery(String subject, String purpose) {
        return ScoreQuery.newBuilder().setSubject(subject(subject)).setPurpose(purpose).build();
    }

    static Status.Code refusal(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void subjectReportListsExactlyTheAccessesMadeInTheTest() {
        String subject = residentId(101);
        ScoreReport court = query("court").queryScore(scoreQuery(subject, "court-enforcement"));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal(() -> query("railway").queryScore(scoreQuery(subject, "court-enforcement"))));
        ScoreReport railway = query("railway").queryScore(scoreQuery(subject, "travel-restriction-check"));
        query("court").queryScore(scoreQuery(residentId(102), "court-enforcement"));

        SubjectReportResponse report = audit("auditor").subjectReport(SubjectReportRequest.newBuilder().setSubject(subject(subject)).build());

        assertEquals(SubjectHasher.mask(subject), report.getSubjectMasked());
        List<AuditRecord> a = report.getAccessesList();
        assertEquals(List.of("court", "railway", "railway"), a.stream().map(AuditRecord::getMember).toList());
        assertEquals(List.of("court-enforcement", "court-enforcement", "travel-restriction-check"),
                a.stream().map(AuditRecord::getPurpose).toList());
        assertEquals(List.of(AuditDecision.ALLOW, AuditDecision.DENY, AuditDecision.ALLOW), a.stream().map(AuditRecord::getDecision).toList());
        assertEquals(List.of("OK", "PERMISSION_DENIED", "OK"), a.stream().map(AuditRecord::getOutcome).toList());
        assertEquals(court.getRequestId(), a.get(0).getRequestId());
        // served: the categories of the factors that left the gateway (granted is not served below FULL disclosure)
        assertEquals(court.getResultsList().stream().flatMap(r -> r.getScore().getFactorsList().stream()).map(f -> f.getCategory())
                .distinct().sorted().toList(), a.get(0).getCategoriesServedList());
        assertEquals(court.getDecision().getRule(), a.get(0).getRule());
        assertFalse(a.get(1).getRule().isEmpty());
        assertEquals(railway.getWithheldList(), a.get(2).getWithheldList());
        assertFalse(a.get(2).getWithheldList().isEmpty());
        assertTrue(a.stream().allMatch(r -> r.getSubjectMasked().equals(SubjectHasher.mask(subject))));
    }

    @Test
    void agencyCannotListAnotherMembersEntries() {
        String subject = residentId(201);
        query("court").queryScore(scoreQuery(subject, "court-enforcement"));
        query("railway").queryScore(scoreQuery(subject, "travel-restriction-check"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> audit("court").listEntries(
                ListEntriesRequest.newBuilder().setFilter(AuditFilter.newBuilder().setMember("railway")).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("filter.member"), e.getStatus().getDescription());

        ListEntriesResponse own = audit("court").listEntries(ListEntriesRequest.newBuilder()
                .setFilter(AuditFilter.newBuilder().setSubject(subject(subject))).build());
        assertEquals(List.of("court"), own.getEntriesList().stream().map(AuditRecord::getMember).toList());
        SubjectReportResponse railwaysView = audit("railway").subjectReport(SubjectReportRequest.newBuilder().setSubject(subject(subject)).build());
        assertEquals(List.of("railway"), railwaysView.getAccessesList().stream().map(AuditRecord::getMember).toList());
        ListEntriesResponse all = audit("auditor").listEntries(ListEntriesRequest.newBuilder()
                .setFilter(AuditFilter.newBuilder().setSubject(subject(subject))).build());
        assertEquals(List.of("court", "railway"), all.getEntriesList().stream().map(AuditRecord::getMember).toList());
    }

    @Test
    void platformIsRefusedTheAuditLog() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> audit("alpha-credit").listEntries(ListEntriesRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, refusal(() -> audit("alpha-credit").latestCheckpoint(CheckpointRequest.getDefaultInstance())));
    }

    @Test
    void badFilterIsRefusedNamingTheField() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> audit("auditor").listEntries(
                ListEntriesRequest.newBuilder().setFilter(AuditFilter.newBuilder().setSubject(subject("110105194912310021"))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("filter.subject.value: "), e.getStatus().getDescription());
    }

    @Test
    void entriesArePagedAndFilteredByDecision() {
        String subject = residentId(301);
        for (int i = 0; i < 3; i++) {
            query("court").queryScore(scoreQuery(subject, "court-enforcement"));
        }
        refusal(() -> query("railway").queryScore(scoreQuery(subject, "court-enforcement")));
        AuditFilter about = AuditFilter.newBuilder().setSubject(subject(subject)).build();

        List<Long> seen = new ArrayList<>();
        String token = "";
        do {
            ListEntriesResponse page = audit("auditor").listEntries(ListEntriesRequest.newBuilder().setFilter(about).setPageSize(1).setPageToken(token).build());
            assertTrue(page.getEntriesCount() <= 1);
            page.getEntriesList().forEach(r -> seen.add(r.getIndex()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(4, seen.size());
        assertEquals(seen.stream().sorted().distinct().toList(), seen);

        ListEntriesResponse denied = audit("auditor").listEntries(ListEntriesRequest.newBuilder()
                .setFilter(about.toBuilder().setDecision(AuditDecision.DENY)).build());
        assertEquals(List.of("railway"), denied.getEntriesList().stream().map(AuditRecord::getMember).toList());
    }

    @Test
    void storeNeverHoldsTheRawSubjectIdentifierOnlyItsKeyedHash() throws Exception {
        String subject = residentId(401);
        query("court").queryScore(scoreQuery(subject, "court-enforcement"));
        audit("auditor").latestCheckpoint(CheckpointRequest.newBuilder().setSignNow(true).build());

        String hmac = SubjectHasher.loadOrCreate(AuditGatewayTestResource.keyDir.resolve(AuditConfiguration.SUBJECT_SECRET)).hmac(subject);
        ListEntriesResponse mine = audit("auditor").listEntries(ListEntriesRequest.newBuilder()
                .setFilter(AuditFilter.newBuilder().setSubject(subject(subject))).build());
        assertEquals(hmac, mine.getEntries(0).getSubjectHmac());
        byte[] raw = subject.getBytes(StandardCharsets.UTF_8);
        boolean hashFound = false;
        for (byte[] stored : storedBytes()) {
            assertFalse(contains(stored, raw), "raw subject identifier found in the audit store");
            hashFound |= contains(stored, hmac.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(hashFound, "the entry is stored, keyed by the subject's HMAC");
    }

    @Test
    void exportVerifiesWithTheIndependentVerifierAndAnAlteredEntryFails(@TempDir Path dir) throws Exception {
        String subject = residentId(501);
        query("court").queryScore(scoreQuery(subject, "court-enforcement"));
        query("railway").queryScore(scoreQuery(subject, "travel-restriction-check"));

        ExportResponse export = audit("auditor").export(ExportRequest.newBuilder()
                .setFilter(AuditFilter.newBuilder().setSubject(subject(subject))).build());
        assertEquals(2, export.getEntriesCount());
        String key = Files.readString(AuditGatewayTestResource.keyDir.resolve(AuditConfiguration.SIGNING_KEY + ".pub")).trim();
        assertEquals(key, export.getCheckpoint().getVerifierKey());

        Path good = Files.writeString(dir.resolve("export.json"), exportJson(export));
        StringWriter out = new StringWriter();
        assertEquals(0, VerifyCli.run(new String[] {"verify", "--export", good.toString(), "--key", key, "--state", dir.resolve("state").toString()},
                new PrintWriter(out, true), new PrintWriter(out, true)), out.toString());

        InclusionProof first = export.getEntries(0);
        String altered = new String(first.getData().toByteArray(), StandardCharsets.UTF_8).replace("\"court\"", "\"railway\"");
        ExportResponse tampered = export.toBuilder().setEntries(0, first.toBuilder().setData(ByteString.copyFromUtf8(altered))).build();
        Path bad = Files.writeString(dir.resolve("tampered.json"), exportJson(tampered));
        StringWriter err = new StringWriter();
        assertEquals(1, VerifyCli.run(new String[] {"verify", "--export", bad.toString(), "--key", key, "--state", dir.resolve("state").toString()},
                new PrintWriter(err, true), new PrintWriter(err, true)));
        assertTrue(err.toString().contains("entry " + first.getIndex()), err.toString());
    }

    @Test
    void anyoneCanMirrorTheTilesOverHttpsAndVerifyTheMirror(@TempDir Path mirror) throws Exception {
        query("court").queryScore(scoreQuery(residentId(601), "court-enforcement"));
        String note = audit("auditor").latestCheckpoint(CheckpointRequest.newBuilder().setSignNow(true).build()).getNote();

        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(AuditGatewayTestResource.pki.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        tls.init(null, tmf.getTrustManagers(), null);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
        String base = "https://localhost:" + AuditGatewayTestResource.tilesPort + "/";
        java.util.function.Function<String, java.net.http.HttpResponse<byte[]>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };

        java.net.http.HttpResponse<byte[]> first = get.apply("checkpoint");
        try (var in = Files.newInputStream(AuditGatewayTestResource.pki.resolve("gateway.crt"))) {
            assertEquals(java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in),
                    first.sslSession().orElseThrow().getPeerCertificates()[0], "the tiles are served with the gateway's certificate");
        }
        byte[] checkpoint = first.body();
        assertEquals(note, new String(checkpoint, StandardCharsets.UTF_8));
        long size = Long.parseLong(note.split("\n")[1]);
        Files.write(mirror.resolve("checkpoint"), checkpoint);
        for (long t = 0; t * 256 < size; t++) {
            int width = (int) Math.min(256, size - t * 256);
            for (String kind : List.of("0", "entries")) {
                String path = "tile/" + kind + "/" + tileIndex(t) + (width == 256 ? "" : ".p/" + width);
                java.net.http.HttpResponse<byte[]> r = get.apply(path);
                assertEquals(200, r.statusCode(), path);
                Files.createDirectories(mirror.resolve(path).getParent());
                Files.write(mirror.resolve(path), r.body());
            }
        }
        assertEquals(404, get.apply("tile/0/999").statusCode());
        assertEquals(404, get.apply("audit-signing.key").statusCode());

        String key = Files.readString(AuditGatewayTestResource.keyDir.resolve(AuditConfiguration.SIGNING_KEY + ".pub")).trim();
        StringWriter out = new StringWriter();
        assertEquals(0, VerifyCli.run(new String[] {"verify", "--tiles", mirror.toString(), "--key", key,
                "--state", mirror.resolve("state").toString()}, new PrintWriter(out, true), new PrintWriter(out, true)), out.toString());
    }

    private static String tileIndex(long n) {
        StringBuilder sb = new StringBuilder(String.format("%03d", n % 1000));
        for (long m = n / 1000; m > 0; m /= 1000) {
            sb.insert(0, String.format("x%03d/", m % 1000));
        }
        return sb.toString();
    }

    /** The export as the verifier reads it (cxg-audit-export/v1, audit-verifier/README.md). */
    static String exportJson(ExportResponse e) {
        Base64.Encoder b64 = Base64.getEncoder();
        String entries = e.getEntriesList().stream().map(p -> "{\"index\":" + p.getIndex() + ",\"data\":\"" + b64.encodeToString(p.getData().toByteArray())
                + "\",\"proof\":[" + p.getProofList().stream().map(h -> "\"" + b64.encodeToString(h.toByteArray()) + "\"").collect(Collectors.joining(","))
                + "]}").collect(Collectors.joining(","));
        String note = e.getCheckpoint().getNote().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return "{\"format\":\"cxg-audit-export/v1\",\"checkpoint\":\"" + note + "\",\"entries\":[" + entries + "],\"consistency\":[]}";
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
