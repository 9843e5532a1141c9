package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuUseTest {

    private static CpuMeter.Snapshot at(double seconds, double machineBusy, Object... cpu) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < cpu.length; i += 2) {
            m.put((String) cpu[i], (Double) cpu[i + 1]);
        }
        return new CpuMeter.Snapshot((long) (seconds * 1e9), m, machineBusy, 2, null);
    }

    @Test
    void countsWhatEachProcessUsedInTheWindowAndTheRestOfTheMachineAsOther() {
        CpuMeter.Snapshot before = at(100, 5000.0, "load generator", 40.0, "gateway-1", 10.0, "hop", 7.0);
        CpuMeter.Snapshot after = at(102, 5003.5, "load generator", 41.0, "gateway-1", 11.5, "hop", 7.0);

        CpuUse u = CpuUse.between(before, after);

        assertEquals(2.0, u.wallSeconds(), 1e-9);
        assertEquals(Map.of("load generator", 1.0, "gateway-1", 1.5, "hop", 0.0), u.seconds());
        assertEquals(1.0, u.otherSeconds(), 1e-9);
        assertEquals(0.25, u.otherShare(), 1e-9);
    }

    @Test
    void cpuPerCallIsEachProcessesTimeOverTheAnsweredCallsPlusTheirTotal() {
        CpuUse u = new CpuUse(10, Map.of("load generator", 2.0, "gateway-1", 6.0), 0, 2);

        Map<String, Double> perCall = u.microsPerCall(20_000);

        assertEquals(100, perCall.get("load generator"), 1e-9);
        assertEquals(300, perCall.get("gateway-1"), 1e-9);
        assertEquals(400, perCall.get(CpuUse.TOTAL), 1e-9);
        assertEquals(Map.of(), u.microsPerCall(0));
    }

    @Test
    void aProcessNotSeenAtBothEndsOfTheWindowIsLeftOutAndOtherNeverGoesNegative() {
        // /proc/stat ticks are coarser than a process's own accounting: the rest of the machine may come out below zero
        CpuUse u = CpuUse.between(at(0, 10.0, "hop", 1.0), at(1, 10.5, "hop", 1.6, "gateway-2", 3.0));

        assertEquals(Map.of("hop", 0.6), Map.of("hop", Math.round(u.seconds().get("hop") * 1e9) / 1e9));
        assertEquals(1, u.seconds().size());
        assertEquals(0, u.otherSeconds());
    }

    @Test
    void windowsAddUp() {
        CpuUse a = new CpuUse(2, Map.of("hop", 0.5), 0.2, 2);
        CpuUse b = new CpuUse(3, Map.of("hop", 1.0, "gateway-1", 0.25), 0.3, 2);

        CpuUse sum = a.plus(b);

        assertEquals(5, sum.wallSeconds(), 1e-9);
        assertEquals(1.5, sum.seconds().get("hop"), 1e-9);
        assertEquals(0.25, sum.seconds().get("gateway-1"), 1e-9);
        assertEquals(0.05, sum.otherShare(), 1e-9);
    }
}
