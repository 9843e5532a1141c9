package cxg.scorer.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import cxg.pki.PemIdentity;
import cxg.pki.PkiException;
import cxg.v1.AckStatus;
import cxg.v1.SignedBatch;
import cxg.v1.SignedItem;
import cxg.v1.SubmissionAck;
import cxg.v1.SubmissionServiceGrpc;
import cxg.v1.SubmitRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code cxg scorer submit --as PLATFORM --file ratings.jsonl}: signs the file's items
 * (batches of {@code --batch-size}, one Ed25519 signature over the items' hashes), streams
 * them to the gateway over mutual TLS with the platform's certificate, and reports each
 * item's acknowledgement. Exit 0 only if nothing was rejected.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Sign and stream ratings and records from a JSON Lines file to the cxg gateway.")
final class SubmitCommand implements Callable<Integer> {

    private static final int SHOW_EACH_UP_TO = 50;

    @Spec
    CommandSpec spec;

    @Option(names = "--as", required = true, paramLabel = "PLATFORM", description = "the platform member submitting")
    String platform;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "JSON Lines, one item per line")
    Path file;

    @Option(names = "--rejects", paramLabel = "FILE", description = "where rejected items go (default FILE.rejects.jsonl)")
    Path rejects;

    @Option(names = "--batch-size", defaultValue = "500", description = "items per signed batch, 1-1000 (default ${DEFAULT-VALUE})")
    int batchSize;

    private final Map<String, String> settings;

    SubmitCommand(Map<String, String> settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!platform.matches("[a-z][a-z0-9-]{0,62}")) {
            err.println("cxg: --as: not a member id: " + platform);
            return ExitCodes.USAGE;
        }
        if (batchSize < 1 || batchSize > 1000) {
            err.println("cxg: --batch-size: must be 1-1000");
            return ExitCodes.USAGE;
        }
        if (!Files.isRegularFile(file)) {
            err.println("cxg: --file: no such file: " + file);
            return ExitCodes.USAGE;
        }
        Path pki = ScorerCli.pkiDir(settings);
        if (!Files.isRegularFile(pki.resolve(platform + ".crt")) || !Files.isRegularFile(pki.resolve(platform + ".key"))) {
            err.println("cxg: no certificate for " + platform + " in " + pki + " (run ./cxg pki init)");
            return ExitCodes.DENIED;
        }
        PemIdentity.Credential identity;
        try {
            // a key that does not fit would otherwise only show as a gateway that seems unavailable
            identity = PemIdentity.checkKeyPair(pki.resolve(platform + ".crt"), pki.resolve(platform + ".key"), Instant.now());
        } catch (PkiException e) {
            err.println("cxg: --as: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Ed25519PrivateKeyParameters key;
        if (Files.isRegularFile(SigningKeyFiles.privateKeyFile(pki, platform))) {
            key = SigningKeyFiles.load(pki, platform);
        } else {
            key = SigningKeyFiles.generate(pki, platform);
            err.println("cxg: generated the signing key " + SigningKeyFiles.privateKeyFile(pki, platform)
                    + "; the gateway verifies with " + SigningKeyFiles.publicKeyFile(pki, platform)
                    + " unless policies/members.yaml registers a signingKey");
        }

        List<JsonLines> lines = new ArrayList<>();
        List<String> text = Files.readAllLines(file);
        for (int i = 0; i < text.size(); i++) {
            if (!text.get(i).isBlank()) {
                lines.add(JsonLines.parse(i + 1, text.get(i)));
            }
        }
        List<List<JsonLines>> requests = new ArrayList<>();
        List<SubmitRequest> wire = new ArrayList<>();
        List<JsonLines> pending = new ArrayList<>();
        for (JsonLines line : lines) {
            if (line.error() != null) {
                continue;
            }
            if (line.preSigned()) {
                flush(pending, key, requests, wire);
                requests.add(List.of(line));
                wire.add(SubmitRequest.newBuilder().setItem(SignedItem.newBuilder()
                        .setPayload(line.payload()).setSignature(line.signature())).build());
            } else {
                pending.add(line);
                if (pending.size() == batchSize) {
                    flush(pending, key, requests, wire);
                }
            }
        }
        flush(pending, key, requests, wire);

        String keycloak = settings.get("cxg.keycloak.url");
        boolean tokens = keycloak != null && !keycloak.isBlank();
        int total = lines.size();
        List<SubmissionAck> acks = null;
        // A token the gateway rejects (e.g. after a key rotation) is replaced once: the gateway refuses
        // a call before storing anything, and resubmitted items are idempotent anyway.
        for (int attempt = 1; acks == null; attempt++) {
            String token = null;
            if (tokens) {
                try {
                    token = PlatformToken.request(keycloak, settings.getOrDefault("cxg.keycloak.client-secret",
                            platform + "-dev-secret"), pki, platform);
                } catch (PlatformToken.Unavailable e) {
                    err.println("cxg: " + e.getMessage());
                    return ExitCodes.UNAVAILABLE;
                }
            }
            try {
                acks = stream(pki, identity, token, wire, total, err);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAUTHENTICATED && tokens && attempt == 1) {
                    err.println("cxg: the gateway rejected the token; retrying once with a fresh one");
                    continue;
                }
                err.println("cxg: the gateway refused the submission: " + code + " "
                        + (e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()));
                return switch (code) {
                    case PERMISSION_DENIED, UNAUTHENTICATED -> ExitCodes.DENIED;
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> ExitCodes.UNAVAILABLE;
                    case INVALID_ARGUMENT -> ExitCodes.USAGE;
                    default -> ExitCodes.OTHER;
                };
            }
        }

        int accepted = 0;
        int duplicate = 0;
        int rejected = 0;
        Path rejectsFile = rejects != null ? rejects : Path.of(file + ".rejects.jsonl");
        ObjectMapper json = new ObjectMapper();
        boolean showEach = total <= SHOW_EACH_UP_TO;
        int next = 0;
        try (BufferedWriter w = Files.newBufferedWriter(rejectsFile)) {
            for (JsonLines line : lines) {
                String field;
                String reason;
                AckStatus status;
                if (line.error() != null) {
                    status = AckStatus.REJECTED;
                    field = "line";
                    reason = line.error();
                } else {
                    SubmissionAck ack = acks.get(next++);
                    status = ack.getStatus();
                    field = ack.getField();
                    reason = ack.getReason();
                }
                switch (status) {
                    case ACCEPTED -> accepted++;
                    case DUPLICATE -> duplicate++;
                    default -> rejected++;
                }
                if (status != AckStatus.ACCEPTED && status != AckStatus.DUPLICATE) {
                    ObjectNode reject = json.createObjectNode().put("line", line.line()).put("itemId", line.itemId())
                            .put("field", field).put("reason", reason);
                    w.write(json.writeValueAsString(reject));
                    w.newLine();
                }
                if (showEach || status == AckStatus.REJECTED) {
                    out.println("line " + line.line() + " " + (line.itemId().isEmpty() ? "-" : line.itemId()) + ": "
                            + status + (field.isEmpty() ? "" : " " + field + ": " + reason));
                }
            }
        }
        out.println("accepted " + accepted + ", duplicate " + duplicate + ", rejected " + rejected
                + (rejected > 0 ? " (reasons in " + rejectsFile + ")" : ""));
        if (rejected == 0) {
            Files.deleteIfExists(rejectsFile);
        }
        return rejected == 0 ? ExitCodes.OK : ExitCodes.USAGE;
    }

    private void flush(List<JsonLines> pending, Ed25519PrivateKeyParameters key, List<List<JsonLines>> requests,
                       List<SubmitRequest> wire) throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] hashes = new byte[pending.size() * 32];
        SignedBatch.Builder batch = SignedBatch.newBuilder();
        for (int i = 0; i < pending.size(); i++) {
            ByteString payload = pending.get(i).payload();
            System.arraycopy(sha.digest(payload.toByteArray()), 0, hashes, i * 32, 32);
            batch.addPayloads(payload);
        }
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(hashes, 0, hashes.length);
        batch.setSignature(ByteString.copyFrom(signer.generateSignature()));
        requests.add(List.copyOf(pending));
        wire.add(SubmitRequest.newBuilder().setBatch(batch).build());
        pending.clear();
    }

    /** @param identity the checked certificate and key, as objects: given the files, Netty would read them again */
    private List<SubmissionAck> stream(Path pki, PemIdentity.Credential identity, String token, List<SubmitRequest> wire, int total,
                                       PrintWriter err) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forTarget(ScorerCli.gatewayAddress(settings))
                .sslContext(GrpcSslContexts.forClient()
                        .keyManager(identity.key(), identity.certificate())
                        .trustManager(pki.resolve("ca.crt").toFile())
                        .build())
                .build();
        List<SubmissionAck> acks = new ArrayList<>();
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        try {
            SubmissionServiceGrpc.SubmissionServiceStub stub = SubmissionServiceGrpc.newStub(channel);
            if (token != null) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            StreamObserver<SubmitRequest> requests = stub
                    .submit(new StreamObserver<>() {
                        @Override
                        public void onNext(SubmissionAck ack) {
                            events.add(ack);
                        }

                        @Override
                        public void onError(Throwable t) {
                            events.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            events.add(Boolean.TRUE);
                        }
                    });
            wire.forEach(requests::onNext);
            requests.onCompleted();
            int expected = wire.stream().mapToInt(r -> r.hasBatch() ? r.getBatch().getPayloadsCount() : 1).sum();
            int step = Math.max(1000, expected / 20);
            while (true) {
                Object event = events.poll(5, TimeUnit.MINUTES);
                if (event == null) {
                    throw Status.DEADLINE_EXCEEDED.withDescription("no answer from the gateway for 5 minutes").asRuntimeException();
                }
                if (event instanceof SubmissionAck ack) {
                    acks.add(ack);
                    if (expected > 1000 && acks.size() % step == 0) {
                        err.println("cxg: " + acks.size() + "/" + expected + " items acknowledged");
                    }
                } else if (event instanceof Throwable t) {
                    throw t instanceof StatusRuntimeException s ? s : Status.fromThrowable(t).asRuntimeException();
                } else {
                    break;
                }
            }
            if (acks.size() != expected) {
                throw Status.INTERNAL.withDescription("the gateway acknowledged " + acks.size() + " of " + expected
                        + " items").asRuntimeException();
            }
            return acks;
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(2, TimeUnit.SECONDS);
        }
    }
}
