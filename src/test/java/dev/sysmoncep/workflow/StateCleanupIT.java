package dev.sysmoncep.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded state: a million wermgr.exe processes, each with its own ProcessGuid, go through the
 * streaming detection; each creates a pipe (an alert, an open sequence per process) and every tenth
 * also looks up an IP-check service (a sequence alert). The default allowed lateness (1 h) keeps
 * each group's findings for late events; once event time has passed their windows and the lateness,
 * the job's state, as its checkpoints measure it, is back where it was before the first of them:
 * nothing is kept per process, per alert or per ProcessGuid.
 */
class StateCleanupIT {
    private static final int PARALLELISM = 2;
    private static final long PROCESSES_PER_READER = 500_000;
    private static final int LOOKUP_EVERY = 10;
    private static final int HOSTS = 500;
    /**
     * 180 ms apart per reader: 25 hours of event time, so with the default one-hour windows about
     * 40,000 processes are within their windows at any time (and the state stays small enough to
     * take a few seconds per checkpoint).
     */
    private static final Duration SPACING = Duration.ofMillis(180);
    /** Generous: on two cores shared with other builds the load alone may take minutes. */
    private static final Duration DEADLINE = Duration.ofMinutes(15);

    @TempDir
    Path dir;

    @Test
    void theStateOfAMillionProcessesFallsBackToItsBaselineOnceTheirWindowsHavePassed() throws Exception {
        String run = "cleanup-" + System.nanoTime();
        WermgrProcessLoad.Shape shape = new WermgrProcessLoad.Shape(PROCESSES_PER_READER, HOSTS, SPACING, LOOKUP_EVERY, 0,
                Scenarios.T0);
        long processes = PARALLELISM * PROCESSES_PER_READER;
        try (DetectionUnderLoad job = DetectionUnderLoad.start(run, shape, "hashmap", PARALLELISM, dir)) {
            long baseline = job.checkpoint().stateSize();

            long started = System.nanoTime();
            WermgrProcessLoad.open(run, "load");
            awaitReadersAt(job, run, "clock");
            double loadSeconds = (System.nanoTime() - started) / 1e9;
            long loaded = job.checkpoint().stateSize();
            // The processes of the last hour are within their windows: at least 100 bytes each.
            long inWindows = PARALLELISM * (Duration.ofHours(1).toMillis() / SPACING.toMillis());
            assertThat(loaded - baseline).as("state under load, baseline %,d bytes", baseline)
                    .isGreaterThan(inWindows * 100);

            started = System.nanoTime();
            WermgrProcessLoad.open(run, "clock");
            // Per host a little may stay (CEP's last event time); per process, nothing.
            long allowed = baseline + HOSTS * 64L;
            List<Long> after = new ArrayList<>();
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (after.isEmpty() || after.get(after.size() - 1) > allowed) {
                if (System.nanoTime() > end) {
                    throw new AssertionError(String.format(Locale.ROOT, "state did not fall back to %,d bytes "
                            + "(baseline %,d, under load %,d); checkpoints since: %s", allowed, baseline, loaded, after));
                }
                after.add(job.checkpoint().stateSize());
            }
            System.out.printf(Locale.ROOT, "StateCleanupIT: %,d processes, %,d events in %.1f s; checkpointed state: "
                            + "baseline %,d bytes, under load %,d, after the windows %s (%.1f s)%n", processes,
                    WermgrProcessLoad.emitted(run), loadSeconds, baseline, loaded, after, (System.nanoTime() - started) / 1e9);

            assertThat(job.alerts(Scenarios.PIPE_RULE)).isEqualTo(processes);
            long lookups = PARALLELISM * (PROCESSES_PER_READER / LOOKUP_EVERY);
            assertThat(job.alerts(Scenarios.IP_CHECK_RULE)).isEqualTo(lookups);
            assertThat(job.alerts(Scenarios.SEQUENCE_RULE)).isEqualTo(lookups);
            assertThat(job.lateEvents()).isZero();
        }
    }

    private static void awaitReadersAt(DetectionUnderLoad job, String run, String gate) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (WermgrProcessLoad.waitingAt(run, gate) < PARALLELISM) {
            job.assertRunning();
            if (System.nanoTime() > end) {
                throw new AssertionError("the load did not reach gate " + gate + " within " + DEADLINE + "; "
                        + WermgrProcessLoad.emitted(run) + " events emitted");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }
}
