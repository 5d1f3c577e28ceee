package dev.sysmoncep.bench;

import dev.sysmoncep.Scenarios;
import dev.sysmoncep.cli.DurationConverter;
import dev.sysmoncep.workflow.CheckpointedState;
import dev.sysmoncep.workflow.DetectionUnderLoad;
import dev.sysmoncep.workflow.WermgrProcessLoad;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whether the streaming detection's state stays flat under sustained load: an endless fleet of
 * wermgr.exe processes (a new ProcessGuid each, a named pipe each, an IP-check lookup every
 * {@code --lookup-every}-th, ordinary events between) runs through the workflow on an embedded Flink,
 * once with the hashmap state backend and once with RocksDB. Every {@code --report-every} events it
 * prints the heap in use after a full GC, the size of a checkpoint taken then (the whole state, and
 * what an incremental RocksDB checkpoint wrote), and the bytes of RocksDB's data files (SST) and of
 * its whole working directory (with RocksDB's own info logs, which grow to their rotation limit).
 *
 * <p>Once event time has run past the first windows (1 hour), the processes within their windows
 * stay about as many, so every figure must level off rather than grow with the events.
 *
 * <pre>
 * job/sysmon-cep bench state-size --events 3000000 --report-every 500000
 * </pre>
 */
@Command(name = "state-size", mixinStandardHelpOptions = true,
        description = "Heap, checkpoint and RocksDB sizes of the streaming detection under sustained load.")
public final class StateSizeBench implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "3000000", description = "Events per state backend (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--report-every", defaultValue = "500000", description = "A row every so many events (default: ${DEFAULT-VALUE}).")
    long reportEvery;

    @Option(names = "--state-backends", split = ",", defaultValue = "hashmap,rocksdb",
            description = "State backends to run, in turn (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--hosts", defaultValue = "2000", description = "Hosts the processes run on (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--spacing", converter = DurationConverter.class, defaultValue = "PT0.1S",
            description = "Event time between two new wermgr.exe processes of one reader (default: ${DEFAULT-VALUE}).")
    Duration spacing;

    @Option(names = "--lookup-every", defaultValue = "10",
            description = "Every so many processes also look up an IP-check service: a sequence (default: ${DEFAULT-VALUE}).")
    int lookupEvery;

    @Option(names = "--background", defaultValue = "4",
            description = "Ordinary events (no rule matches) per process (default: ${DEFAULT-VALUE}).")
    int background;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        long perHour = Duration.ofHours(1).toMillis() / spacing.toMillis() * parallelism;
        System.out.printf(Locale.ROOT, "sysmon-cep state size under sustained load: %,d hosts, a new wermgr.exe process "
                        + "every %s of event time per reader (%,d per hour), a sequence every %d processes, %d ordinary "
                        + "events per process, parallelism %d, %d cores, max heap %,d MB%n", hosts, spacing, perHour,
                lookupEvery, background, parallelism, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        for (String backend : backends) {
            run(backend);
        }
        return 0;
    }

    private void run(String backend) throws Exception {
        String run = "bench-" + backend + "-" + System.nanoTime();
        WermgrProcessLoad.Shape shape = new WermgrProcessLoad.Shape(Long.MAX_VALUE, hosts, spacing, lookupEvery,
                background, Scenarios.T0);
        Path dir = Files.createTempDirectory("sysmon-cep-state-bench");
        double eventsPerProcess = 1 + background + (lookupEvery > 0 ? 1.0 / lookupEvery : 0);
        System.out.printf(Locale.ROOT, "%n%s%n%12s %8s %8s %10s %8s %14s %11s %9s %9s %10s%n", backend, "events",
                "event h", "wall s", "events/s", "heap MB", "checkpoint MB", "written MB", "SST MB", "local MB", "alerts");
        long started = System.nanoTime();
        try (DetectionUnderLoad job = DetectionUnderLoad.start(run, shape, backend, parallelism, dir)) {
            for (long next = reportEvery; next <= events; next += reportEvery) {
                while (WermgrProcessLoad.emitted(run) < next) {
                    job.assertRunning();
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
                CheckpointedState state = job.checkpoint();
                long emitted = WermgrProcessLoad.emitted(run);
                double seconds = (System.nanoTime() - started) / 1e9;
                // Processes per reader so far, times the spacing: how far event time has gone.
                double eventHours = emitted / (double) parallelism / eventsPerProcess * spacing.toMillis() / 3_600_000.0;
                System.out.printf(Locale.ROOT, "%,12d %8.1f %8.0f %,10.0f %,8d %,14.1f %,11.1f %,9.1f %,9.1f %,10d%n", emitted,
                        eventHours, seconds, emitted / seconds, heapAfterGc() >> 20, state.stateSize() / 1048576.0,
                        state.checkpointedSize() / 1048576.0, job.sstBytes() / 1048576.0, job.localStateBytes() / 1048576.0,
                        job.alerts(Scenarios.PIPE_RULE) + job.alerts(Scenarios.IP_CHECK_RULE) + job.alerts(Scenarios.SEQUENCE_RULE));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
