package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.records.SourceFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs and outputs given as file system URIs: {@code file:///...}, read and written through
 * Flink's file system paths yet checked as local files, and {@code replaytest:///...} (see
 * {@link LocalDiskAsRemoteFileSystem}), which stands for s3:// or hdfs://.
 */
class ReplayFileSystemUriTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    private Scenario attackLogs() throws IOException {
        Scenario s = Scenarios.qakbotLike();
        Scenarios.write(dir.resolve("logs/host-a.xml"), s.events(), SourceFormat.XML, 5);
        Files.createDirectories(dir.resolve("out"));
        return s;
    }

    private static String uri(String scheme, Path path) {
        return scheme + "://" + path.toAbsolutePath().toUri().getPath();
    }

    private static List<Expected> expectedOf(Path alertFile) throws IOException {
        List<Expected> found = new ArrayList<>();
        for (String line : Files.readAllLines(alertFile, StandardCharsets.UTF_8)) {
            JsonNode a = JSON.readTree(line);
            found.add(new Expected(a.at("/rule/id").asText(), a.at("/host/name").asText(),
                    a.at("/process/entity_id").asText(), a.at("/event/count").asLong()));
        }
        return found;
    }

    private static void assertOnlyTheOutputIn(Path out, String name) throws IOException {
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly(name);
        }
    }

    @Test
    void fileUrisForInputAndOutputWriteTheExpectedAlertsAndAFullReport() throws Exception {
        Scenario s = attackLogs();
        Path alerts = dir.resolve("out/alerts.jsonl");

        Cli r = Cli.run("replay", "--input", uri("file", dir.resolve("logs")) + "/", "--output", uri("file", alerts),
                "-p", "2", "--no-progress", "--report", "json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(expectedOf(alerts)).containsExactlyInAnyOrderElementsOf(s.expected());
        assertOnlyTheOutputIn(dir.resolve("out"), "alerts.jsonl");
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.at("/alerts/total").asLong()).isEqualTo(s.expected().size());
        assertThat(report.at("/alerts/details_available").asBoolean()).isTrue();
        assertThat(report.at("/alerts/file").asText()).isEqualTo(uri("file", alerts));
        assertThat(report.at("/input/files").asInt()).isEqualTo(1);
        assertThat(report.at("/input/bytes").asLong()).isEqualTo(Files.size(dir.resolve("logs/host-a.xml")));
    }

    @Test
    void aMissingFileUriInputIsAnInputError() {
        Path out = dir.resolve("alerts.jsonl");

        Cli r = Cli.run("replay", "--input", "file:///nope/", "--output", out.toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("sysmon-cep replay: input file:///nope/ does not exist; check the path")
                .doesNotContain("\tat ", "Exception");
        assertThat(r.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void aRemoteFileSystemIsReadAndWrittenThroughFlinkAndReportedInFull() throws Exception {
        Scenario s = attackLogs();
        Path alerts = dir.resolve("out/alerts.jsonl");
        Path dead = dir.resolve("out/dead.jsonl");

        Cli r = Cli.run("replay", "--input", uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("logs")) + "/",
                "--output", uri(LocalDiskAsRemoteFileSystem.SCHEME, alerts),
                "--dead-letter", uri(LocalDiskAsRemoteFileSystem.SCHEME, dead),
                "-p", "2", "--progress-interval", "100ms", "--report", "json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(expectedOf(alerts)).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(dead).exists();
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.at("/alerts/total").asLong()).isEqualTo(s.expected().size());
        assertThat(report.at("/alerts/details_available").asBoolean()).as("alerts are tallied in the job").isTrue();
        assertThat(report.at("/alerts/top_hosts")).isNotEmpty();
        assertThat(report.at("/alerts/first_hit").isTextual()).isTrue();
        assertThat(report.at("/input/files").isNull()).as(r.toString()).isTrue();
        assertThat(report.at("/input/lines_read").asLong()).isEqualTo(s.events().size());
        List<String> progress = r.errLines();
        assertThat(progress).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("replay "));
        assertThat(progress.get(progress.size() - 1)).startsWith("replay 100.0%  " + s.events().size() + " lines")
                .contains("alerts " + s.expected().size());

        Cli text = Cli.run("replay", "--input", uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("logs")),
                "--output", uri(LocalDiskAsRemoteFileSystem.SCHEME, alerts), "--no-progress");
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).contains("Input: files and size not known here",
                "Alerts: " + s.expected().size() + "  -> " + uri(LocalDiskAsRemoteFileSystem.SCHEME, alerts),
                "Top hosts", "first hit ");
    }

    @Test
    void aMissingRemoteInputIsAnInputErrorAndAnUnknownSchemeSaysWhatIsMissing() {
        Path out = dir.resolve("alerts.jsonl");

        Cli missing = Cli.run("replay", "--input", uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("nope")),
                "--output", out.toString());
        Cli unknown = Cli.run("replay", "--input", "nosuchfs://bucket/logs/", "--output", out.toString());

        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(3);
        assertThat(missing.err()).contains("input " + uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("nope"))
                + " does not exist").doesNotContain("\tat ");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(UserError.Kind.UNREACHABLE.exitCode);
        assertThat(unknown.err()).contains("nosuchfs://bucket", "Flink has no file system for the scheme 'nosuchfs'",
                "plugins/").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void aRemoteOutputThatIsADirectoryIsAnOutputError() throws Exception {
        attackLogs();

        Cli r = Cli.run("replay", "--input", dir.resolve("logs").toString(),
                "--output", uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("out")));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("--output " + uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("out"))
                + " is a directory; give a file name").doesNotContain("\tat ");
    }

    @Test
    void aDetachedSubmissionSaysWhereItsAlertsWillGoAndDoesNotWaitForThem(@InjectClusterClient ClusterClient<?> client)
            throws Exception {
        Scenario s = attackLogs();
        Path alerts = dir.resolve("out/alerts.jsonl");
        String output = uri(LocalDiskAsRemoteFileSystem.SCHEME, alerts);

        Cli r;
        DetachedSubmission.install(FLINK.getClientConfiguration());
        try {
            r = Cli.run("replay", "--input", uri(LocalDiskAsRemoteFileSystem.SCHEME, dir.resolve("logs")),
                    "--output", output, "-p", "2");
        } finally {
            DetachedSubmission.uninstall();
        }

        assertThat(r.exitCode()).as(r.toString()).isZero();
        Matcher submitted = Pattern.compile("^sysmon-cep replay: submitted as job ([0-9a-f]{32}); its alerts go to "
                + Pattern.quote(output) + " when it has finished\\R$").matcher(r.out());
        assertThat(submitted.find()).as(r.toString()).isTrue();
        assertThat(r.err()).as("no progress for a job that runs on").isEmpty();
        client.requestJobResult(JobID.fromHexString(submitted.group(1))).get(2, TimeUnit.MINUTES);
        assertThat(expectedOf(alerts)).containsExactlyInAnyOrderElementsOf(s.expected());
    }
}
