package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it, {@code job/sysmon-cep replay} on the bundled samples:
 * the first run after a build also archives the classes a run loads (class data sharing), later runs
 * map that archive; either way the alerts are the samples' eight and the report on stdout is the
 * report alone, with no message of the JVM's among it.
 */
class LauncherIT {
    /** Stdout must be the report and nothing else: no text before it, none after. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path dir;

    @Test
    void replayOnTheSamplesGivesTheirEightAlertsAndAReportOnStdoutWhetherTheClassArchiveIsMadeOrUsed() throws Exception {
        Files.deleteIfExists(Path.of("target/sysmon-cep.jsa"));
        for (String run : new String[] {"making the archive", "using it"}) {
            Path alerts = dir.resolve("alerts.jsonl");
            Path report = dir.resolve("report.json");
            Path err = dir.resolve("err.txt");
            Process p = new ProcessBuilder("job/sysmon-cep", "replay", "--input", "job/samples", "--output", alerts.toString(),
                    "--report", "json", "--no-progress")
                    .redirectOutput(report.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(run).isTrue();
            assertThat(p.exitValue()).as(run + ": " + Files.readString(err)).isZero();
            JsonNode parsed = JSON.readTree(report.toFile());
            assertThat(parsed.path("status").asText()).as(run).isEqualTo("finished");
            assertThat(parsed.path("input").path("lines_read").asLong()).as(run).isEqualTo(736);
            assertThat(Files.readAllLines(alerts)).as(run).hasSize(8);
            assertThat(Path.of("target/sysmon-cep.jsa")).as(run).exists();
        }
    }
}
