package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.read.ReadProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress lines' forms, from counts given directly; the end-to-end run is in ReplayCommandLineTest. */
class ReplayProgressTest {
    @TempDir
    Path dir;

    private InputFiles twoFilesOfTwoMegabytes() throws Exception {
        Files.write(dir.resolve("a.jsonl"), new byte[1_000_000]);
        Files.write(dir.resolve("b.jsonl"), new byte[1_000_000]);
        return InputFiles.scan(List.of(dir));
    }

    @Test
    void aTerminalGetsOneLineRewrittenInPlaceAndEndedWhenTheRunEnds() throws Exception {
        StringWriter err = new StringWriter();
        ReplayProgress progress = new ReplayProgress(new PrintWriter(err), true, twoFilesOfTwoMegabytes());

        progress.reading(new ReadProgress.Snapshot(0, 0, 0, 0, 0), Map.of());
        progress.reading(new ReadProgress.Snapshot(1_000_000, 1, 5_000, 4_900, 3), Map.of(JobCounters.EVENTS_MATCHED, 7L));
        progress.failed();

        String shown = err.toString();
        assertThat(shown).startsWith("\r").endsWith(System.lineSeparator()).doesNotContain("\n" + "replay");
        String[] updates = shown.stripTrailing().substring(1).split("\r");
        assertThat(updates).hasSize(2);
        assertThat(updates[0]).startsWith("replay   0.0%  0 B of 2.00 MB  files 0 of 2  0 lines").endsWith("starting");
        assertThat(updates[1]).startsWith("replay  50.0%  1.00 MB of 2.00 MB  files 1 of 2  5,000 lines")
                .endsWith("dead-lettered 3  matched 7  alerts at end  ETA --");
    }

    @Test
    void onAClusterTheLinesComeFromTheAccumulatorsAlone() throws Exception {
        StringWriter err = new StringWriter();
        ReplayProgress progress = new ReplayProgress(new PrintWriter(err), false, twoFilesOfTwoMegabytes());

        progress.running(Map.of());
        progress.running(Map.of(JobCounters.LINES_READ, 12_345L, JobCounters.DEAD_LETTERED, 2L, JobCounters.EVENTS_MATCHED, 9L));

        List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("replay running ").endsWith("(no counts from the cluster yet)");
        assertThat(lines.get(1)).contains("12,345 lines  dead-lettered 2  matched 9  alerts at end  (of 2 files, 2.00 MB");
    }

    @Test
    void theLastLineIsOneHundredPercentWithTheFinalCounts() throws Exception {
        StringWriter err = new StringWriter();
        InputFiles inputs = twoFilesOfTwoMegabytes();
        ReplayProgress progress = new ReplayProgress(new PrintWriter(err), false, inputs);
        RunSummary summary = new RunSummary(Map.of(JobCounters.LINES_READ, 20_000L, JobCounters.ALERTS, 4L,
                JobCounters.EVENTS_MATCHED, 30L, JobCounters.DEAD_LETTERED, 1L), Map.of(), null, RuleSet.bundled(),
                inputs.files(), inputs.bytes(), Duration.ofSeconds(6), Duration.ofSeconds(4));

        progress.finished(summary);

        assertThat(err.toString()).isEqualTo("replay 100.0%  2.00 MB of 2.00 MB  files 2 of 2  20,000 lines  5,000 lines/s  "
                + "dead-lettered 1  matched 30  alerts 4  done in 6.0s" + System.lineSeparator());
    }
}
