package cxg.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the gateway spent its CPU during the profiled run, from the JFR execution samples:
 * by top frame (self time), by top frame's package, and by cxg method anywhere on the stack
 * (inclusive time of cxg's own code); and how much the JIT compiler was still at work (deoptimizations, and
 * compilations that took 100 ms or more: the profile settings' threshold).
 */
public record JfrHotSpots(long samples, Map<String, Long> topFrames, Map<String, Long> topPackages,
                          Map<String, Long> cxgInclusive, long deoptimizations, long slowCompilations) {

    public static JfrHotSpots read(Path recording, int limit) throws IOException {
        Map<String, Long> frames = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        Map<String, Long> cxg = new HashMap<>();
        long samples = 0;
        long deoptimizations = 0;
        long slowCompilations = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String event = e.getEventType().getName();
            if ("jdk.Deoptimization".equals(event)) {
                deoptimizations++;
            } else if ("jdk.Compilation".equals(event)) {
                slowCompilations++;
            }
            if (!"jdk.ExecutionSample".equals(event)) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> fs = st.getFrames();
            RecordedFrame top = fs.get(0);
            String type = top.getMethod().getType().getName();
            frames.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
            packages.merge(packageOf(type), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : fs) {
                String t = f.getMethod().getType().getName();
                if (t.startsWith("cxg.") && !t.contains("$$Lambda") && !t.endsWith("_ClientProxy")) {
                    String m = t + "." + f.getMethod().getName();
                    if (seen.add(m)) {
                        cxg.merge(m, 1L, Long::sum);
                    }
                }
            }
        }
        return new JfrHotSpots(samples, top(frames, limit), top(packages, limit), top(cxg, limit), deoptimizations, slowCompilations);
    }

    private static String packageOf(String type) {
        int dot = type.lastIndexOf('.');
        return dot < 0 ? "(default)" : type.substring(0, dot);
    }

    private static Map<String, Long> top(Map<String, Long> counts, int limit) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("executionSamples", samples);
        m.put("topFramesSelf", topFrames);
        m.put("topPackagesSelf", topPackages);
        m.put("cxgMethodsInclusive", cxgInclusive);
        m.put("deoptimizations", deoptimizations);
        m.put("compilationsOf100msOrMore", slowCompilations);
        return m;
    }
}
