package dev.sysmoncep.workflow;

import static dev.sysmoncep.Scenarios.IP_CHECK_RULE;
import static dev.sysmoncep.Scenarios.PIPE_RULE;
import static dev.sysmoncep.Scenarios.SEQUENCE_RULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.RunSummary;
import dev.sysmoncep.cli.SysmonCep;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SourceFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** The replay as a user runs it, on a Flink MiniCluster with two slots, over real and built logs. */
class ReplayEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    record Replay(RunSummary summary, List<JsonNode> alerts, List<JsonNode> deadLetters) {
        Set<String> ids() {
            return alerts.stream().map(a -> a.path("event").path("id").asText()).collect(Collectors.toSet());
        }
    }

    Replay replay(String... extraArgs) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime() + ".jsonl");
        Path dead = dir.resolve("dead-" + System.nanoTime() + ".jsonl");
        List<String> args = new ArrayList<>(List.of("--output", out.toString(), "--dead-letter", dead.toString(), "-p", "2",
                "--no-progress"));
        args.addAll(List.of(extraArgs));
        ReplayCommand command = new ReplayCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        RunSummary summary = command.run();
        return new Replay(summary, readJsonLines(out), readJsonLines(dead));
    }

    static List<JsonNode> readJsonLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    static List<Expected> asExpected(List<JsonNode> alerts) {
        return alerts.stream().map(a -> new Expected(a.path("rule").path("id").asText(), a.path("host").path("name").asText(),
                a.path("process").path("entity_id").asText(), a.path("event").path("count").asLong())).toList();
    }

    @Test
    void realOtrfLogsRaiseNoAlertThoughTheyHold368BenignWermgrLookups() throws Exception {
        Path real = Path.of("src/test/resources/real").toAbsolutePath();
        Replay r = replay("--input", real.resolve("otrf_lsass_campaign_01_sysmon_17_18_22.jsonl").toString(),
                "--input", real.resolve("otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl").toString(),
                "--input", real.resolve("otrf_format_variants_sample.jsonl").toString(),
                "--input", real.resolve("otrf_psh_cmstp_execution_bypassuac.jsonl.gz").toString());
        assertThat(r.alerts()).isEmpty();
        assertThat(r.deadLetters()).isEmpty();
        assertThat(r.summary().count(JobCounters.LINES_READ)).isEqualTo(1684 + 685 + 11 + 1166);
        assertThat(r.summary().count(JobCounters.NOT_SYSMON)).isPositive();
        assertThat(r.summary().count(JobCounters.EVENTS_PARSED) + r.summary().count(JobCounters.NOT_SYSMON))
                .isEqualTo(r.summary().count(JobCounters.LINES_READ));
        assertThat(r.summary().count(JobCounters.EVENTS_MATCHED)).isZero();
    }

    @Test
    void splunksRealTrickbotLookupRaisesExactlyOneIpCheckAlert() throws Exception {
        Replay r = replay("--input", Path.of("src/test/resources/real/splunk_security_content_sysmon_examples.xml").toString());
        assertThat(r.alerts()).hasSize(1);
        JsonNode a = r.alerts().get(0);
        assertThat(a.at("/rule/id").asText()).isEqualTo(IP_CHECK_RULE);
        assertThat(a.at("/rule/name").asText()).isEqualTo("Wermgr Process Connecting To IP Check Web Services");
        assertThat(a.at("/event/kind").asText()).isEqualTo("alert");
        assertThat(a.at("/event/risk_score").asInt()).isEqualTo(56);
        assertThat(a.at("/event/count").asLong()).isEqualTo(1);
        assertThat(a.at("/@timestamp").asText()).isEqualTo("2021-03-24T12:25:12.840Z");
        assertThat(a.at("/event/start").asText()).isEqualTo("2021-03-24T12:25:12.840Z");
        assertThat(a.at("/host/name").asText()).isEqualTo("win-dc-299.attackrange.local");
        assertThat(a.at("/process/entity_id").asText()).isEqualTo("{3CFDEE80-2F7D-605B-F50A-00000000AE01}");
        assertThat(a.at("/process/pid").asLong()).isEqualTo(7172);
        assertThat(a.at("/process/executable").asText()).isEqualTo("C:\\Windows\\System32\\wermgr.exe");
        assertThat(a.at("/process/name").asText()).isEqualTo("wermgr.exe");
        assertThat(a.at("/dns/question/name").asText()).isEqualTo("50.220.65.3.spam.dnsbl.sorbs.net");
        assertThat(a.at("/dns/response_code").asText()).isEqualTo("NXDOMAIN");
        assertThat(a.at("/winlog/event_data/QueryStatus").asText()).isEqualTo("9003");
        assertThat(a.at("/winlog/event_data/QueryResults").asText()).isEqualTo("-");
        assertThat(a.at("/threat/framework").asText()).isEqualTo("MITRE ATT&CK");
        assertThat(a.at("/threat/tactic/id/0").asText()).isEqualTo("TA0043");
        assertThat(a.at("/threat/technique/id/0").asText()).isEqualTo("T1590");
        assertThat(a.at("/threat/technique/subtechnique/id/0").asText()).isEqualTo("T1590.005");
        assertThat(a.at("/message").asText())
                .isEqualTo("Wermgr.exe process connecting IP location web services on win-dc-299.attackrange.local");
        assertThat(a.at("/event/id").asText()).isEqualTo(a.at("/sysmon_cep/alert_id").asText());
        assertThat(r.summary().count(JobCounters.ALERTS_PREFIX + IP_CHECK_RULE)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = SourceFormat.class, names = {"XML", "FLAT_JSON", "ECS_JSON"})
    void attackScenariosRaiseExactlyTheExpectedAlertsInOrderAndShuffled(SourceFormat format) throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path ordered = Scenarios.write(dir.resolve("ordered/attack.log"), s.events(), format, 0);
        Path shuffled = Scenarios.write(dir.resolve("shuffled/attack.log"), s.events(), format, 42);

        Replay inOrder = replay("--input", ordered.getParent().toString());
        Replay outOfOrder = replay("--input", shuffled.getParent().toString());

        assertThat(asExpected(inOrder.alerts())).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(outOfOrder.ids()).isEqualTo(inOrder.ids());
        assertThat(inOrder.deadLetters()).isEmpty();
        assertThat(inOrder.summary().count(JobCounters.ALERTS)).isEqualTo(s.expected().size());
    }

    @Test
    void theSameEventsInAnyFormatGiveTheSameAlertIdsAndEveryReplayTheSameAgain() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Set<String> reference = null;
        for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
            Path file = Scenarios.write(dir.resolve(format.name() + "/attack.log"), s.events(), format, 7);
            Set<String> ids = replay("--input", file.toString()).ids();
            assertThat(ids).hasSize(s.expected().size());
            if (reference == null) {
                reference = ids;
                assertThat(replay("--input", file.toString()).ids()).as("a second replay").isEqualTo(ids);
            } else {
                assertThat(ids).as(format.name()).isEqualTo(reference);
            }
        }
    }

    @Test
    void aggregatedAlertsCarryCountsFirstAndLastTimesAndTheSequenceCarriesBothParts() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Replay r = replay("--input", Scenarios.write(dir.resolve("a/attack.log"), s.events(), SourceFormat.XML, 3).toString());
        JsonNode connect = r.alerts().stream()
                .filter(a -> a.at("/rule/id").asText().equals(PIPE_RULE) && a.at("/event/count").asLong() == 2
                        && a.at("/host/name").asText().startsWith("WS-FIN"))
                .findFirst().orElseThrow();
        assertThat(connect.at("/event/start").asText()).isEqualTo("2024-03-12T09:14:06.125Z");
        assertThat(connect.at("/event/end").asText()).isEqualTo("2024-03-12T09:16:05.125Z");
        assertThat(connect.at("/file/name").asText()).isEqualTo("\\pipe\\{8C1A-qbot}");
        assertThat(connect.at("/message").asText()).isEqualTo(
                "wermgr.exe process is creating or connecting to a named pipe \\pipe\\{8C1A-qbot} in WS-FIN-07.corp.example.com");
        assertThat(connect.at("/user/name").asText()).isEqualTo("NT AUTHORITY\\SYSTEM");

        List<JsonNode> sequences = r.alerts().stream().filter(a -> a.at("/rule/id").asText().equals(SEQUENCE_RULE)).toList();
        JsonNode first = sequences.stream()
                .filter(a -> a.at("/process/entity_id").asText().endsWith("AE01}")).findFirst().orElseThrow();
        assertThat(first.at("/event/risk_score").asInt()).isGreaterThan(56);
        // From the process's first pipe to its last lookup: everything it did in the alert's window.
        assertThat(first.at("/event/start").asText()).isEqualTo("2024-03-12T09:14:05.125Z");
        assertThat(first.at("/event/end").asText()).isEqualTo("2024-03-12T09:20:05.125Z");
        assertThat(first.at("/threat/technique/id").toString()).contains("T1071", "T1590");
        assertThat(first.at("/threat/technique/subtechnique/id/0").asText()).isEqualTo("T1590.005");
        assertThat(first.at("/sysmon_cep/pipe_names/0").asText()).isEqualTo("\\pipe\\{8C1A-qbot}");
        assertThat(first.at("/sysmon_cep/query_names/0").asText()).isEqualTo("api.ipify.org");
        Set<String> partIds = r.alerts().stream()
                .filter(a -> a.at("/process/entity_id").asText().endsWith("AE01}")
                        && !a.at("/rule/id").asText().equals(SEQUENCE_RULE))
                .map(a -> a.at("/event/id").asText()).collect(Collectors.toSet());
        Set<String> related = new java.util.HashSet<>();
        first.at("/sysmon_cep/related_alert_ids").forEach(n -> related.add(n.asText()));
        assertThat(partIds).containsAll(related);
        assertThat(related).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void skippingUnmatchableLinesGivesTheSameAlertsAndCountsWhatItSkipped() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path attack = Scenarios.write(dir.resolve("fast/attack.log"), s.events(), SourceFormat.ECS_JSON, 9);
        Path background = Path.of("src/test/resources/real/otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl");

        Replay full = replay("--input", attack.toString(), "--input", background.toAbsolutePath().toString());
        Replay fast = replay("--input", attack.toString(), "--input", background.toAbsolutePath().toString(),
                "--skip-unmatchable-lines");

        assertThat(fast.ids()).isEqualTo(full.ids());
        assertThat(asExpected(fast.alerts())).containsExactlyInAnyOrderElementsOf(s.expected());
        RunSummary counts = fast.summary();
        assertThat(counts.count(JobCounters.NOT_CANDIDATES)).isPositive();
        assertThat(counts.count(JobCounters.EVENTS_PARSED) + counts.count(JobCounters.NOT_SYSMON)
                + counts.count(JobCounters.DEAD_LETTERED) + counts.count(JobCounters.NOT_CANDIDATES))
                .isEqualTo(counts.count(JobCounters.LINES_READ))
                .isEqualTo(full.summary().count(JobCounters.LINES_READ));
        assertThat(counts.count(JobCounters.EVENTS_MATCHED)).isEqualTo(full.summary().count(JobCounters.EVENTS_MATCHED));
    }

    @Test
    void aFileReadInManySmallRangesGivesTheSameAlertsCountsAndDeadLettersAsReadWhole() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path file = Scenarios.write(dir.resolve("split/attack.log"), s.events(), SourceFormat.FLAT_JSON, 11);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.addAll(Files.readAllLines(Path.of("src/test/resources/real/otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl")));
        lines.add(lines.size() / 2, "{\"EventID\": 22, ");
        lines.add("not a log line");
        Files.write(file, lines);

        Replay whole = replay("--input", file.toString());
        // Ranges of 997 bytes: nearly every one begins and ends inside a line.
        Replay split = replay("--input", file.toString(), "--split-bytes", "997");

        assertThat(asExpected(split.alerts())).containsExactlyInAnyOrderElementsOf(s.expected());
        // The same alerts; only where their first event was read is told by byte offset past the first range.
        assertThat(split.alerts().stream().map(ReplayEndToEndTest::withoutOrigin).toList())
                .containsExactlyInAnyOrderElementsOf(whole.alerts().stream().map(ReplayEndToEndTest::withoutOrigin).toList());
        byte[] bytes = Files.readAllBytes(file);
        assertThat(split.alerts()).anySatisfy(a -> assertThat(a.at("/sysmon_cep/first_event_origin").asText()).contains("@"))
                .allSatisfy(a -> {
                    String origin = a.at("/sysmon_cep/first_event_origin").asText();
                    if (origin.contains("@")) {
                        int offset = Integer.parseInt(origin.substring(origin.lastIndexOf('@') + 1));
                        String line = new String(bytes, offset, Math.min(2000, bytes.length - offset), StandardCharsets.UTF_8);
                        assertThat(bytes[offset - 1]).isEqualTo((byte) '\n');
                        assertThat(line.substring(0, line.indexOf('\n'))).contains(a.at("/process/entity_id").asText());
                    }
                });
        for (String count : List.of(JobCounters.LINES_READ, JobCounters.EVENTS_PARSED, JobCounters.NOT_SYSMON,
                JobCounters.DEAD_LETTERED, JobCounters.EVENTS_MATCHED, JobCounters.ALERTS)) {
            assertThat(split.summary().count(count)).as(count).isEqualTo(whole.summary().count(count));
        }
        assertThat(split.summary().count(JobCounters.LINES_READ)).isEqualTo(lines.size());
        assertThat(split.deadLetters()).hasSize(2).allSatisfy(d -> {
            // Past the first range the line number is unknown: the line is found by its byte offset.
            long offset = d.path("offset").asLong();
            assertThat(offset).isPositive();
            assertThat(bytes[(int) offset - 1]).isEqualTo((byte) '\n');
            assertThat(new String(bytes, (int) offset, d.path("line").asText().length(), StandardCharsets.UTF_8))
                    .isEqualTo(d.path("line").asText());
            assertThat(d.path("origin").asText()).endsWith("attack.log@" + offset);
        });
    }

    private static JsonNode withoutOrigin(JsonNode alert) {
        JsonNode copy = alert.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("sysmon_cep")).remove("first_event_origin");
        return copy;
    }

    @Test
    void aShorterSequenceWindowDropsTheSequenceWhosePartsAreTenMinutesApart() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path file = Scenarios.write(dir.resolve("w/attack.log"), s.events(), SourceFormat.FLAT_JSON, 0);
        Replay r = replay("--input", file.toString(), "--sequence-window", "8m");
        assertThat(r.alerts().stream().filter(a -> a.at("/rule/id").asText().equals(SEQUENCE_RULE)))
                .extracting(a -> a.at("/process/entity_id").asText())
                .containsExactly("{3CFDEE80-2F7D-605B-F50A-00000000AE01}");
    }

    @Test
    void badLinesAreDeadLetteredWithReasonAndPlaceWhileTheRunGoesOn() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path file = Scenarios.write(dir.resolve("bad/attack.log"), s.events(), SourceFormat.ECS_JSON, 0);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(3, "{\"winlog\": {\"event_id\": 22, ");
        lines.add(5, "");
        lines.add(7, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>");
        lines.add("[1, 2, 3]");
        Files.write(file, lines);
        Files.write(file.resolveSibling("binary.bin"), new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n', 7});

        Replay r = replay("--input", file.getParent().toString());
        assertThat(asExpected(r.alerts())).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(r.deadLetters()).hasSize(5);
        assertThat(r.summary().count(JobCounters.DEAD_LETTERED)).isEqualTo(5);
        assertThat(r.summary().count(JobCounters.BLANK_LINES)).as("the empty line, counted, not refused").isEqualTo(1);
        assertThat(r.deadLetters()).allSatisfy(d -> {
            assertThat(d.path("reason").asText()).isNotBlank();
            assertThat(d.path("line_number").asLong()).isPositive();
        });
        assertThat(r.deadLetters()).anySatisfy(d -> {
            assertThat(d.path("file").asText()).endsWith("attack.log");
            assertThat(d.path("line_number").asLong()).isEqualTo(4);
        });
        assertThat(r.summary().count(JobCounters.LINES_READ)).isEqualTo(lines.size() + 2);
    }

    @Test
    void theCommandLineRefusesAMissingInputWithoutStartingFlink() {
        int exit = SysmonCep.commandLine().execute("replay", "--input", dir.resolve("nope").toString(),
                "--output", dir.resolve("o.jsonl").toString());
        assertThat(exit).isEqualTo(3);
        assertThat(dir.resolve("o.jsonl")).doesNotExist();
    }
}
