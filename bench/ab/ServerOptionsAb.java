import cxg.bench.load.*;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;

/**
 * The server-options A/B of bench/JOURNAL.md ("Where the afternoon's CPU rise came from"), run by server-options-ab.sh: one warm load
 * generator drives GetScore at each variant's own connector (each with its own platform stand-in) in interleaved rounds and prints
 * the CPU per call of both servers (/proc/<pid>/stat). Args: PKI_DIR ROUNDS SECONDS OUTSTANDING NAME:PORT:PLATFORM_PID:CONNECTOR_PID...
 */
public class ServerOptionsAb {
    static double cpu(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }
    public static void main(String[] a) throws Exception {
        Path pki = Path.of(a[0]);
        int rounds = Integer.parseInt(a[1]);
        Duration measure = Duration.ofSeconds(Long.parseLong(a[2]));
        int conc = Integer.parseInt(a[3]);
        List<String[]> vs = new ArrayList<>();
        for (int i = 4; i < a.length; i++) vs.add(a[i].split(":")); // name:port:platPid:connPid
        var tls = ClientChannels.clientContext(pki, "gateway");
        Map<String, CallTarget> t = new LinkedHashMap<>();
        for (String[] v : vs) {
            ManagedChannel ch = ClientChannels.open(new InetSocketAddress("127.0.0.1", Integer.parseInt(v[1])), tls);
            t.put(v[0], GrpcTargets.getScore(ch, Duration.ofSeconds(5)));
        }
        LoadRunner r = new LoadRunner();
        Map<String, Double> last = new HashMap<>();
        // warm up until each variant's CPU per call settles (the JIT is slow on a busy machine)
        for (int pass = 0; pass < 40; pass++) {
            boolean settled = true;
            for (String[] v : vs) {
                long pp = Long.parseLong(v[2]), cp = Long.parseLong(v[3]);
                double p0 = cpu(pp), c0 = cpu(cp);
                LoadResult w = r.run("w", LoadSpec.closed(64, 0, Duration.ofSeconds(4), Duration.ZERO), t.get(v[0]));
                double us = (cpu(pp) - p0 + cpu(cp) - c0) / Math.max(1, w.answered()) * 1e6;
                double prev = last.getOrDefault(v[0], Double.MAX_VALUE);
                last.put(v[0], us);
                System.out.printf(Locale.ROOT, "warm-up %d %s %.0f/s %.0f us%n", pass, v[0], w.throughput(), us);
                settled &= pass >= 2 && Math.abs(us - prev) / us < 0.08 && us < 400;
            }
            if (settled) break;
        }
        for (String[] v : vs) {
            r.run("w", LoadSpec.closed(1, 0, Duration.ofSeconds(3), Duration.ZERO), t.get(v[0]));
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, List<Double>> per = new LinkedHashMap<>();
        System.out.println("round variant calls/s plat_us conn_us sum_us lg_us");
        for (int round = 1; round <= rounds; round++) {
            List<String[]> order = new ArrayList<>(vs);
            if (round % 2 == 0) Collections.reverse(order);
            for (String[] v : order) {
                System.gc();
                r.run("w", LoadSpec.closed(conc, 0, Duration.ofSeconds(1), Duration.ZERO), t.get(v[0]));
                long pp = Long.parseLong(v[2]), cp = Long.parseLong(v[3]);
                double p0 = cpu(pp), c0 = cpu(cp), l0 = cpu(ProcessHandle.current().pid());
                LoadResult res = r.run(v[0], LoadSpec.closed(conc, 0, measure, Duration.ZERO), t.get(v[0]));
                double p1 = cpu(pp), c1 = cpu(cp), l1 = cpu(ProcessHandle.current().pid());
                long n = res.answered();
                double pu = (p1 - p0) / n * 1e6, cu = (c1 - c0) / n * 1e6, lu = (l1 - l0) / n * 1e6;
                System.out.printf(Locale.ROOT, "%d %s %.0f %.1f %.1f %.1f %.1f%n", round, v[0], res.throughput(), pu, cu, pu + cu, lu);
                double[] s = sums.computeIfAbsent(v[0], k -> new double[5]);
                s[0] += (p1 - p0); s[1] += (c1 - c0); s[2] += n; s[3] += (l1 - l0);
                per.computeIfAbsent(v[0], k -> new ArrayList<>()).add(pu + cu);
            }
        }
        System.out.println("ALL: variant plat_us conn_us sum_us lg_us | per-round sum median (min-max)");
        for (var e : sums.entrySet()) {
            double[] s = e.getValue();
            List<Double> l = new ArrayList<>(per.get(e.getKey())); Collections.sort(l);
            System.out.printf(Locale.ROOT, "%s %.1f %.1f %.1f %.1f | %.1f (%.1f-%.1f)%n", e.getKey(), s[0] / s[2] * 1e6, s[1] / s[2] * 1e6,
                    (s[0] + s[1]) / s[2] * 1e6, s[3] / s[2] * 1e6, l.get(l.size() / 2), l.get(0), l.get(l.size() - 1));
        }
        System.exit(0);
    }
}
