package dev.sysmoncep.cli;

import static dev.sysmoncep.Scenarios.IP_CHECK_RULE;
import static dev.sysmoncep.Scenarios.SEQUENCE_RULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The replay command as an analyst runs it: its report, its progress, and a run that fails. */
class ReplayCommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REAL = Path.of("src/test/resources/real");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    record Replay(Cli cli, JsonNode report, List<JsonNode> alerts, List<JsonNode> deadLetters) {}

    private Replay replayWithJsonReport(Path... inputs) throws IOException {
        Path alerts = dir.resolve("alerts.jsonl");
        Path dead = dir.resolve("dead-letters.jsonl");
        List<String> args = new ArrayList<>(List.of("replay", "--output", alerts.toString(), "--dead-letter",
                dead.toString(), "-p", "2", "--report", "json", "--no-progress"));
        for (Path input : inputs) {
            args.addAll(List.of("--input", input.toString()));
        }
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        return new Replay(cli, JSON.readTree(cli.out()), jsonLines(alerts), jsonLines(dead));
    }

    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    /** The report's numbers against the alert and dead-letter files the same run wrote. */
    private static void assertReportMatchesOutputs(Replay r) {
        JsonNode report = r.report();
        List<JsonNode> alerts = r.alerts();
        assertThat(report.at("/alerts/total").asLong()).isEqualTo(alerts.size());
        Map<String, Long> perRule = alerts.stream().collect(Collectors.groupingBy(a -> a.at("/rule/id").asText(),
                Collectors.counting()));
        assertThat(report.at("/alerts/by_rule")).hasSize(3).allSatisfy(row ->
                assertThat(row.path("alerts").asLong()).as(row.path("name").asText())
                        .isEqualTo(perRule.getOrDefault(row.path("id").asText(), 0L)));

        Map<String, Long> perHost = alerts.stream().collect(Collectors.groupingBy(a -> a.at("/host/name").asText(),
                Collectors.counting()));
        Map<String, Long> reportedHosts = new HashMap<>();
        report.at("/alerts/top_hosts").forEach(h -> reportedHosts.put(h.path("host").asText(), h.path("alerts").asLong()));
        assertThat(reportedHosts).hasSize(Math.min(10, perHost.size()));
        reportedHosts.forEach((host, n) -> assertThat(n).as(host).isEqualTo(perHost.get(host)));

        List<String> sequencesInFile = alerts.stream().filter(a -> a.at("/rule/id").asText().equals(SEQUENCE_RULE))
                .map(a -> String.join(" | ", a.at("/host/name").asText(), a.at("/process/entity_id").asText(),
                        a.at("/process/pid").asText(), a.at("/sysmon_cep/pipe_names").toString(),
                        a.at("/sysmon_cep/query_names").toString(), a.at("/event/start").asText(), a.at("/event/end").asText()))
                .toList();
        List<String> sequencesReported = new ArrayList<>();
        report.at("/alerts/sequences").forEach(s -> sequencesReported.add(String.join(" | ", s.path("host").asText(),
                s.at("/process/entity_id").asText(), s.at("/process/pid").asText(), s.path("pipe_names").toString(),
                s.path("query_names").toString(), s.path("first_hit").asText(), s.path("last_hit").asText())));
        assertThat(sequencesReported).containsExactlyInAnyOrderElementsOf(sequencesInFile);
        if (!alerts.isEmpty()) {
            assertThat(report.at("/alerts/first_hit").asText())
                    .isEqualTo(alerts.stream().map(a -> a.at("/event/start").asText()).min(String::compareTo).orElseThrow());
            assertThat(report.at("/alerts/last_hit").asText())
                    .isEqualTo(alerts.stream().map(a -> a.at("/event/end").asText()).max(String::compareTo).orElseThrow());
        }

        assertThat(report.at("/dead_lettered/total").asLong()).isEqualTo(r.deadLetters().size());
        Map<String, Long> reasonsInFile = r.deadLetters().stream().collect(Collectors.groupingBy(
                d -> DeadLetter.reasonKind(d.path("reason").asText()), TreeMap::new, Collectors.counting()));
        Map<String, Long> reasonsReported = new TreeMap<>();
        report.at("/dead_lettered/reasons").forEach(e -> reasonsReported.put(e.path("reason").asText(), e.path("count").asLong()));
        assertThat(reasonsReported).isEqualTo(reasonsInFile);

        long events = report.at("/events/recognised").asLong();
        assertThat(events + report.at("/events/not_sysmon_skipped").asLong() + report.at("/events/blank_lines").asLong()
                + r.deadLetters().size()).isEqualTo(report.at("/input/lines_read").asLong());
        long perFormat = 0;
        for (JsonNode n : report.at("/events/by_format")) {
            perFormat += n.asLong();
        }
        assertThat(perFormat).isEqualTo(events);
    }

    private static boolean isHidden(Path relative) {
        for (Path name : relative) {
            if (name.toString().startsWith(".") || name.toString().startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** Lines as the reader splits them: on \n, a last line without one included; .gz unpacked. */
    private static long linesIn(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = file.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            bytes = in.readAllBytes();
        }
        long lines = 0;
        for (byte b : bytes) {
            lines += b == '\n' ? 1 : 0;
        }
        return lines + (bytes.length > 0 && bytes[bytes.length - 1] != '\n' ? 1 : 0);
    }

    @Test
    void theReportOnTheShippedSamplesAddsUpToTheOutputs() throws Exception {
        Path samples = Path.of("job/samples");

        Replay r = replayWithJsonReport(samples);

        assertReportMatchesOutputs(r);
        long lines = 0;
        try (Stream<Path> files = Files.walk(samples)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !isHidden(samples.relativize(f))).toList()) {
                lines += linesIn(f);
            }
        }
        assertThat(r.report().at("/input/lines_read").asLong()).isEqualTo(lines);
    }

    /** Qakbot-like events spread over three formats, a real Trickbot lookup, a real .gz, and junk. */
    private Path mixedInput() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Scenario s = Scenarios.qakbotLike();
        List<List<SysmonEvent>> thirds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < s.events().size(); i++) {
            thirds.get(i % 3).add(s.events().get(i));
        }
        Scenarios.write(logs.resolve("host-a.xml"), thirds.get(0), SourceFormat.XML, 5);
        Scenarios.write(logs.resolve("host-b.json"), thirds.get(1), SourceFormat.FLAT_JSON, 6);
        Scenarios.write(logs.resolve("nested/host-c.ndjson"), thirds.get(2), SourceFormat.ECS_JSON, 7);
        Files.copy(REAL.resolve("splunk_security_content_sysmon_examples.xml"), logs.resolve("splunk.xml"));
        Files.copy(REAL.resolve("otrf_psh_cmstp_execution_bypassuac.jsonl.gz"), logs.resolve("otrf.jsonl.gz"));
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        for (String line : List.of("", "garbage", "{\"winlog\": {\"event_id\": 22, ", "[1, 2, 3]",
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>", "   ",
                "{\"EventID\": \"twenty-two\", \"Channel\": \"Microsoft-Windows-Sysmon/Operational\"}", "garbage again")) {
            junk.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        junk.write(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        Files.write(logs.resolve("junk.log"), junk.toByteArray());
        Files.writeString(logs.resolve(".junk.log.swp"), "hidden, so never read\n");
        return logs;
    }

    @Test
    void theReportOnMixedFormatsAndBadLinesAddsUpToTheOutputs() throws Exception {
        Path logs = mixedInput();

        Replay r = replayWithJsonReport(logs);

        assertReportMatchesOutputs(r);
        assertThat(r.alerts()).hasSize(Scenarios.qakbotLike().expected().size() + 1);
        assertThat(r.report().at("/alerts/sequences")).hasSize(2);
        assertThat(r.deadLetters()).hasSize(7);
        assertThat(r.report().at("/events/blank_lines").asLong()).as("blank lines are counted, not refused").isEqualTo(2);
        Map<String, Long> reasons = new HashMap<>();
        r.report().at("/dead_lettered/reasons").forEach(e -> reasons.put(e.path("reason").asText(), e.path("count").asLong()));
        assertThat(reasons).containsEntry("not JSON or XML (starts with byte #)", 2L).doesNotContainKey("blank line")
                .containsEntry("event id is not an integer: '...'", 1L);
        assertThat(r.report().at("/input/files").asInt()).isEqualTo(6);
        long lines = 0;
        for (String f : List.of("host-a.xml", "host-b.json", "nested/host-c.ndjson", "splunk.xml", "otrf.jsonl.gz", "junk.log")) {
            lines += linesIn(logs.resolve(f));
        }
        assertThat(r.report().at("/input/lines_read").asLong()).isEqualTo(lines);
        assertThat(r.report().at("/events/by_format/XML").asLong()).isEqualTo(linesIn(logs.resolve("host-a.xml")) + 3);
        assertThat(r.report().at("/events/by_format/ECS_JSON").asLong()).isEqualTo(linesIn(logs.resolve("nested/host-c.ndjson")));
        assertThat(r.report().at("/alerts/by_rule/1/id").asText()).isEqualTo(IP_CHECK_RULE);
        assertThat(r.report().at("/alerts/by_rule/1/techniques/0").asText()).isEqualTo("T1590.005");

        Cli text = Cli.run("replay", "--input", logs.toString(), "--output", dir.resolve("again.jsonl").toString(),
                "--no-progress");
        assertThat(text.out())
                .containsPattern("\\n  blank lines +2\\n")
                .containsPattern("\\n  dead-lettered +7   \\(no --dead-letter file\\)\\n")
                .containsPattern("\\n +2  not JSON or XML \\(starts with byte #\\)\\n")
                .contains(
                "Alerts: " + r.alerts().size() + "  -> " + dir.resolve("again.jsonl"),
                "Sequence alerts: Wermgr Named Pipe And IP Check Lookup By One Process",
                "  WS-FIN-07.corp.example.com  pid 7172  {3CFDEE80-2F7D-605B-F50A-00000000AE01}",
                "      pipes    \\pipe\\{8C1A-qbot}",
                "      queries  api.ipify.org",
                "     " + r.report().at("/alerts/top_hosts/0/alerts").asLong() + "  WS-FIN-07.corp.example.com");
        assertThat(text.err()).isEmpty();
    }

    @Test
    void quietPrintsNothingAtAll() {
        Path out = dir.resolve("alerts.jsonl");

        Cli r = Cli.run("replay", "--quiet", "--input", REAL.resolve("splunk_security_content_sysmon_examples.xml").toString(),
                "--output", out.toString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
        assertThat(out).exists();
    }

    /** Real OTRF lines, repeated until reading takes a while. */
    private Path bigInput() throws IOException {
        byte[] real = Files.readAllBytes(REAL.resolve("otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl"));
        Path file = dir.resolve("big/otrf-repeated.jsonl");
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 60; i++) {
                out.write(real);
            }
        }
        return file;
    }

    @Test
    void withoutATerminalProgressComesAsOneLinePerIntervalEndingAtOneHundredPercent() throws Exception {
        Path input = bigInput();

        Cli r = Cli.run("replay", "--input", input.toString(), "--output", dir.resolve("alerts.jsonl").toString(),
                "-p", "1", "--progress-interval", "200ms");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> progress = r.errLines().stream().filter(l -> l.startsWith("replay ")).toList();
        assertThat(r.errLines()).as("stderr holds progress lines only").containsExactlyElementsOf(progress);
        assertThat(progress).hasSizeGreaterThanOrEqualTo(2);
        assertThat(progress.get(progress.size() - 1)).startsWith("replay 100.0%")
                .contains("files 1 of 1", "41,100 lines", "alerts 0", "done in");
        assertThat(progress.subList(0, progress.size() - 1)).allSatisfy(line -> assertThat(line)
                .containsPattern("^replay +[0-9.]+% ").contains(" of " + Human.bytes(Files.size(input)), "alerts at end"));
        assertThat(r.out()).containsPattern("\\n  lines read +41,100\\n");
    }

    private static void writeTruncatedGzip(Path file) throws IOException {
        byte[] real = Files.readAllBytes(REAL.resolve("otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl"));
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(packed)) {
            for (int i = 0; i < 20; i++) {
                gz.write(real);
            }
        }
        byte[] whole = packed.toByteArray();
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
    }

    @Test
    void aCorruptArchiveFailsTheReplayAsAnInputErrorAndLeavesNoOutputBehind() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Scenarios.write(logs.resolve("attack.xml"), Scenarios.qakbotLike().events(), SourceFormat.XML, 0);
        writeTruncatedGzip(logs.resolve("cut.jsonl.gz"));
        Path results = Files.createDirectories(dir.resolve("results"));

        Cli r = Cli.run("replay", "--input", logs.toString(), "--output", results.resolve("alerts.jsonl").toString(),
                "--dead-letter", results.resolve("dead.jsonl").toString(), "--progress-interval", "200ms");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("sysmon-cep replay: input " + logs.resolve("cut.jsonl.gz") + " could not be read after line ",
                ": Unexpected end of ZLIB input stream; repair or leave out", "no alert file was written")
                .doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
        try (Stream<Path> left = Files.list(results)) {
            assertThat(left).as("no final and no temporary file").isEmpty();
        }
    }
}
