package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the scheduler's figures from /proc, here a directory laid out like it. */
class SchedTest {

    private static final String PSI = """
            some avg10=38.74 avg60=23.23 avg300=16.61 total=5669432039
            full avg10=0.00 avg60=0.00 avg300=0.00 total=0
            """;

    @TempDir
    Path proc;

    private void write(String file, String content) throws IOException {
        Path p = proc.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void aSchedstatLineGivesTheTimeOnACpuAndTheRunQueueWait() {
        assertEquals(OptionalLong.of(5197426), Sched.field("5197426 1316707 2\n", Sched.ON_CPU));
        assertEquals(OptionalLong.of(1316707), Sched.field("5197426 1316707 2\n", Sched.WAITING));
        assertEquals(OptionalLong.empty(), Sched.field("", Sched.WAITING));
        assertEquals(OptionalLong.empty(), Sched.field("5197426 x 2", Sched.WAITING));
        assertEquals(OptionalLong.empty(), Sched.field("5197426 1316707", Sched.WAITING), "not a schedstat line");
    }

    @Test
    void thePressureIsTheSomeLinesTotal() {
        assertEquals(OptionalLong.of(5_669_432_039L), Sched.someTotal(PSI));
        assertEquals(OptionalLong.empty(), Sched.someTotal("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
        assertEquals(OptionalLong.empty(), Sched.someTotal("some avg10=1.00 total=lots\n"));
    }

    @Test
    void readsEveryThreadOfEachProcessThePressureAndTheKernelThreads() throws IOException {
        write("100/task/100/schedstat", "5197426 1316707 2\n");
        write("100/task/100/comm", "vert.x-eventloo\n");
        write("100/task/101/schedstat", "10 2000 1\n");
        write("100/task/101/comm", "audit-segment-p\n");
        Files.createDirectories(proc.resolve("100/task/102")); // a thread that ended while its directory was listed
        write("pressure/cpu", PSI);
        write("self/schedstat", "1 2 3\n");
        write("7/comm", "kdamond.0\n");
        write("7/schedstat", "4600000 10 3\n");
        write("8/comm", "kworker/0:1-events\n");
        write("8/schedstat", "300000 10 3\n");
        write("9/comm", "kworker/1:2-mm_percpu_wq\n");
        write("9/schedstat", "200000 10 3\n");
        write("10/comm", "java\n");
        write("10/schedstat", "99999999 10 3\n");

        Sched.Snapshot s = new Sched(proc).take(new LinkedHashMap<>(Map.of("hop", 100L, "gone", 999L)));

        assertEquals(Map.of("hop", Map.of(100L, 1_316_707L, 101L, 2_000L)), s.waitNanos(), "a process that is gone is left out");
        assertEquals(Map.of("hop", Map.of(100L, new Sched.ThreadRun("event loops", 5_197_426L),
                101L, new Sched.ThreadRun("audit segment pre-allocation", 10L))), s.runNanos());
        assertEquals(5_669_432_039L, s.cpuPressureMicros());
        assertEquals(Map.of("kdamond", Map.of(7L, 4_600_000L), "ksoftirqd", Map.of(), "kworker", Map.of(8L, 300_000L, 9L, 200_000L)),
                s.kernelRunNanos());
    }

    @Test
    void missingFilesAreNotAvailableAndTheReportSaysSo() {
        Sched.Snapshot s = new Sched(proc.resolve("no-such-proc")).take(Map.of("hop", 100L));

        assertEquals(Map.of(), s.waitNanos());
        assertEquals(-1, s.cpuPressureMicros());
        assertNull(s.kernelRunNanos());
        SchedUse u = SchedUse.between(s, s, 5);
        assertTrue(Double.isNaN(u.cpuPressureMillisPerSecond()));
        assertTrue(Double.isNaN(u.kernelMillisPerSecond("kdamond")));
        assertEquals(Map.of("runQueueWaitSeconds", SchedUse.NOT_AVAILABLE, "runQueueWaitMicrosPerCall", SchedUse.NOT_AVAILABLE,
                "cpuPressureSomeSeconds", SchedUse.NOT_AVAILABLE, "cpuPressureMillisPerSecond", SchedUse.NOT_AVAILABLE,
                "kernelThreadsCpuSeconds", SchedUse.NOT_AVAILABLE, "onCpuMicrosPerCallByThreadGroup", SchedUse.NOT_AVAILABLE), u.toJson(1000));
    }

    @Test
    void threadsAreGroupedByTheStartOfTheirKernelName() {
        assertEquals("event loops", Sched.threadGroup("vert.x-eventloo"));
        assertEquals("event loops", Sched.threadGroup("grpc-nio-worker"), "the hop's Netty event loops do the same job");
        assertEquals("audit writer", Sched.threadGroup("audit-log-write"));
        assertEquals("audit tiles", Sched.threadGroup("audit-tile-fsyn"));
        assertEquals("JIT compilers", Sched.threadGroup("C2 CompilerThre"));
        assertEquals("GC and VM", Sched.threadGroup("VM Thread"));
        assertEquals(Sched.OTHER_THREADS, Sched.threadGroup("cxg-retention"));
        assertEquals(Sched.OTHER_THREADS, Sched.threadGroup(""), "a thread whose name could not be read");
    }

    @Test
    void aThreadOfThisProcessIsFoundInItsGroupWithTheTimeItRanOnLinux() throws InterruptedException {
        Sched linux = Sched.linux();
        Map<String, Long> self = Map.of("self", ProcessHandle.current().pid());
        CountDownLatch spun = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            // 60 ms on a CPU, however long that takes on a busy machine
            while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() < 60_000_000L) {
                Thread.onSpinWait();
            }
            spun.countDown();
            try {
                Thread.sleep(60_000); // alive at the window's end: a thread that ended is not seen there
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "audit-log-writer");

        Sched.Snapshot start = linux.take(self);
        writer.start();
        spun.await();
        Sched.Snapshot end = linux.take(self);
        writer.interrupt();
        writer.join();

        assertTrue(start.runNanos().containsKey("self"), "this machine has schedstats; the report's by-thread table needs them");
        double ran = SchedUse.byGroup(start.runNanos().get("self"), end.runNanos().get("self")).get("audit writer");
        assertTrue(ran >= 0.055 && ran < 0.5, "the named thread's 60 ms on a CPU, counted in its group: " + ran + " s");
    }

    @Test
    void aKernelWithoutPsiStillGivesTheThreadsWaits() throws IOException {
        write("100/task/100/schedstat", "1 500 1\n");

        Sched.Snapshot s = new Sched(proc).take(Map.of("hop", 100L));

        assertEquals(Map.of("hop", Map.of(100L, 500L)), s.waitNanos());
        assertEquals(-1, s.cpuPressureMicros());
    }
}
