package cxg.bench;

import cxg.bench.hop.ForwardingHop;
import cxg.bench.load.BenchInputException;
import cxg.bench.load.CallTarget;
import cxg.bench.load.ClientChannels;
import cxg.bench.load.DurationConverter;
import cxg.bench.load.GrpcTargets;
import cxg.bench.load.LoadResult;
import cxg.bench.load.LoadRunner;
import cxg.bench.load.LoadSpec;
import cxg.bench.load.LoopbackGuard;
import cxg.bench.load.MemberTokens;
import cxg.bench.load.Progress;
import cxg.bench.platform.FastPlatform;
import cxg.bench.report.Json;
import cxg.bench.report.ReportRunner;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cxg bench}: the load tool, the bare forwarding hop, the fast platform stand-in and the report. */
@Command(name = "cxg bench", mixinStandardHelpOptions = true,
        description = "Load tool and benchmark report (traffic to loopback only).",
        subcommands = {BenchCli.Run.class, BenchCli.Hop.class, BenchCli.Platform.class, ReportRunner.Command.class,
                cxg.bench.ingest.IngestBench.Command.class})
public final class BenchCli implements Callable<Integer> {

    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int UNAVAILABLE = 4;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing subcommand: run, hop, platform, report or ingest");
    }

    static Path defaultPkiDir() {
        String dir = System.getProperty("cxg.pki.dir");
        return Path.of(dir != null ? dir : ".cxg/pki");
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Drive score queries (or scorer calls) at a fixed concurrency or a fixed arrival rate; a run longer than 10 s says how far it is on standard error every 10 s.")
    static final class Run implements Callable<Integer> {

        /** How often a run says how far it is (a default run of 10 s says it once at most). */
        static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

        @Option(names = "--target", description = "host:port on loopback (default: the gateway, $CXG_GATEWAY_ADDRESS or 127.0.0.1:7443)")
        String target;

        @Option(names = "--call", defaultValue = "query",
                description = "query = QueryService/QueryScore (gateway); scorer = ScorerService/GetScore (a scorer connector, or the bare hop)")
        String call;

        @Option(names = "--categories", split = ",", description = "for --call scorer: the categories asked for, comma-separated, "
                + "as the gateway asks a scorer for those its decision granted (default: none)")
        List<String> categories = new ArrayList<>();

        @Option(names = "--as", description = "member certificate to present (default: court for query, gateway for scorer)")
        String member;

        @Option(names = "--pki-dir", description = "dev PKI directory (default: $CXG_HOME/pki)")
        Path pkiDir;

        @Option(names = "--token-file", description = "send the bearer token in this file on every call")
        Path tokenFile;

        @Option(names = "--keycloak-url", description = "for --call query: get the member's certificate-bound token from this Keycloak "
                + "(default: the one ./cxg up started, when there is one)")
        String keycloakUrl;

        @Option(names = "--no-token", description = "send no token (a gateway without token checks)")
        boolean noToken;

        @Option(names = "--concurrency", description = "closed model: calls outstanding at all times (default 1)")
        Integer concurrency;

        @Option(names = "--rate", description = "open model: calls started per second, on schedule; latency counts from the scheduled start")
        Double rate;

        @Option(names = "--max-outstanding", defaultValue = "10000", description = "open model: cap on calls in flight (default ${DEFAULT-VALUE})")
        int maxOutstanding;

        @Option(names = "--requests", defaultValue = "0", description = "stop after this many calls")
        long requests;

        @Option(names = "--duration", converter = DurationConverter.class, description = "stop after this long (default 10s unless --requests)")
        Duration duration;

        @Option(names = "--warmup", converter = DurationConverter.class, defaultValue = "2s", description = "unmeasured warm-up first (default ${DEFAULT-VALUE})")
        Duration warmup;

        @Option(names = "--deadline", converter = DurationConverter.class, defaultValue = "5s", description = "gRPC deadline of each call (default ${DEFAULT-VALUE})")
        Duration deadline;

        @Option(names = "--json", description = "also write the result as JSON to this file ('-' for standard output instead of text)")
        String json;

        @Override
        public Integer call() throws Exception {
            boolean query = switch (call) {
                case "query" -> true;
                case "scorer" -> false;
                default -> throw new BenchInputException("--call: must be query or scorer, not '" + call + "'");
            };
            if (concurrency != null && rate != null) {
                throw new BenchInputException("--concurrency and --rate: choose one (closed or open model)");
            }
            String address = target != null ? target : Optional.ofNullable(System.getenv("CXG_GATEWAY_ADDRESS")).orElse("127.0.0.1:7443");
            InetSocketAddress checked = LoopbackGuard.requireLoopback("--target", address);
            Duration bound = duration == null && requests == 0 ? Duration.ofSeconds(10) : duration;
            LoadSpec spec = rate != null
                    ? LoadSpec.open(rate, maxOutstanding, requests, bound, warmup)
                    : LoadSpec.closed(concurrency == null ? 1 : concurrency, requests, bound, warmup);
            String who = member != null ? member : query ? "court" : "gateway";
            Path pki = pkiDir != null ? pkiDir : defaultPkiDir();
            Optional<io.grpc.ClientInterceptor> auth = tokens(query, pki, who);
            ManagedChannel channel = ClientChannels.open(checked, ClientChannels.clientContext(pki, who));
            try {
                io.grpc.Channel ch = ClientChannels.intercepted(channel, auth);
                CallTarget t = query ? GrpcTargets.queryScore(ch, deadline) : GrpcTargets.getScore(ch, deadline, categories);
                // on stderr, so that --json - keeps standard output to the result
                LoadRunner runner = new LoadRunner().withProgress((label, run, seconds, answered, failed) ->
                        System.err.println("cxg bench: " + Progress.line(label, run, seconds, answered, failed)), PROGRESS_EVERY);
                LoadResult result = runner.run((query ? "QueryScore" : "GetScore") + " @ " + address, spec, t);
                if ("-".equals(json)) {
                    System.out.println(Json.write(result.toJson()));
                } else {
                    System.out.print(result.toText());
                    if (json != null) {
                        Files.writeString(Path.of(json), Json.write(result.toJson()) + "\n");
                    }
                }
                if (result.answered() == 0) {
                    System.err.println("cxg bench: no call was answered (" + result.failures() + ")");
                    return UNAVAILABLE;
                }
                return OK;
            } finally {
                channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        }

        /** A fixed token from --token-file, else one from Keycloak for score queries, else none. */
        private Optional<io.grpc.ClientInterceptor> tokens(boolean query, Path pki, String who) {
            if (noToken) {
                return Optional.empty();
            }
            if (tokenFile != null) {
                return ClientChannels.bearer(ClientChannels.readToken(tokenFile));
            }
            String url = keycloakUrl != null ? keycloakUrl : System.getProperty("cxg.keycloak.url", "");
            if (!query || url.isBlank()) {
                return Optional.empty();
            }
            try {
                return Optional.of(MemberTokens.fromKeycloak(url, pki, who).interceptor());
            } catch (IllegalStateException e) {
                throw new TokenUnavailable(e.getMessage() + "; is Keycloak running? (--no-token for a gateway without token checks)");
            }
        }
    }

    /** No token could be had; the gateway would refuse every call. */
    static final class TokenUnavailable extends RuntimeException {
        TokenUnavailable(String message) {
            super(message);
        }
    }

    @Command(name = "hop", mixinStandardHelpOptions = true,
            description = "Run the bare forwarding hop: mutual TLS in, every unary call forwarded as bytes to --backend over mutual TLS.")
    static final class Hop implements Callable<Integer> {

        @Option(names = "--listen", required = true, description = "loopback host:port to serve on")
        String listen;

        @Option(names = "--backend", required = true, description = "loopback host:port to forward to (a scorer connector)")
        String backend;

        @Option(names = "--pki-dir", description = "dev PKI directory (default: $CXG_HOME/pki)")
        Path pkiDir;

        @Option(names = "--as", defaultValue = "gateway", description = "certificate the hop presents on both sides (default ${DEFAULT-VALUE})")
        String member;

        @Override
        public Integer call() throws Exception {
            InetSocketAddress in = LoopbackGuard.requireLoopback("--listen", listen);
            InetSocketAddress out = LoopbackGuard.requireLoopback("--backend", backend);
            ClientChannels.clientContext(pkiDir != null ? pkiDir : defaultPkiDir(), member);
            ForwardingHop hop = ForwardingHop.start(in, out, pkiDir != null ? pkiDir : defaultPkiDir(), member);
            System.out.println("cxg bench hop: listening on " + listen + ", forwarding to " + backend + ", TLS " + hop.tls());
            hop.awaitTermination();
            return OK;
        }
    }

    @Command(name = "platform", mixinStandardHelpOptions = true,
            description = "Run the fast platform REST stand-in: POST /<member>/v1/scores answers the demo subject's rating.")
    static final class Platform implements Callable<Integer> {

        @Option(names = "--listen", required = true, description = "loopback host:port to serve on")
        String listen;

        @Option(names = "--threads", defaultValue = "0",
                description = "handler threads; 0 answers on the server's dispatcher thread (default ${DEFAULT-VALUE})")
        int threads;

        @Override
        public Integer call() throws Exception {
            FastPlatform.start(LoopbackGuard.requireLoopback("--listen", listen), threads);
            System.out.println("cxg bench platform: listening on " + listen);
            Thread.currentThread().join();
            return OK;
        }
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new BenchCli());
        // a mistyped option gets one line that names it, as every other cxg command does, not the whole usage
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("cxg bench: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BenchInputException) {
                cmd.getErr().println("cxg bench: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof TokenUnavailable) {
                cmd.getErr().println("cxg bench: " + e.getMessage());
                return UNAVAILABLE;
            }
            cmd.getErr().println("cxg bench: " + e);
            return 1;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        quietLogging();
        System.exit(execute(args));
    }

    /**
     * INFO and above only. The JBoss log manager these JVMs run with starts with the root level at ALL when
     * nothing configures it, so grpc-netty's HTTP/2 frame logger formatted every frame at DEBUG for a handler
     * that then dropped it: ~11 % of the bare hop's CPU samples, and the load generator's too.
     */
    static void quietLogging() {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        // Netty logs through SLF4J into the JBoss log context, which is JUL's only when it is the JUL manager
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
    }
}
