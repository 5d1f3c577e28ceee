package dev.sysmoncep.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.generate.QakbotWermgrScenario.Step;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * The samples under {@code job/samples}: the attack file is exactly what its definition renders,
 * raises the alerts its README states, and the real samples are the unchanged, alert-free OTRF files.
 *
 * <p>After changing {@link QakbotWermgrScenario}, rewrite the file with
 * {@code mvn -q test -Dtest=BundledSamplesTest -Dsysmoncep.writeSamples=true}.
 */
class BundledSamplesTest {
    private static final Path ATTACK_README = Path.of("job/samples/attack/_README.md");
    private static final Path REAL = Path.of("job/samples/real");
    private static final long ONE_HOUR = 3_600_000L;

    @Test
    void attackFileIsExactlyWhatItsDefinitionRenders() throws IOException {
        List<String> defined = QakbotWermgrScenario.lines();
        if (Boolean.getBoolean("sysmoncep.writeSamples")) {
            Files.writeString(QakbotWermgrScenario.FILE, String.join("\n", defined) + "\n", StandardCharsets.UTF_8);
        }
        String file = Files.readString(QakbotWermgrScenario.FILE, StandardCharsets.UTF_8);
        assertThat(file).endsWith("\n");
        assertThat(file.lines().toList()).isEqualTo(defined);
        assertThat(defined).hasSizeLessThanOrEqualTo(60);
    }

    @Test
    void attackLinesAreSplunkXmlWithinOneHour() {
        List<Step> steps = QakbotWermgrScenario.steps();
        long first = steps.get(0).event().eventTime;
        long last = steps.get(steps.size() - 1).event().eventTime;
        assertThat(last - first).isLessThan(ONE_HOUR);
        for (String line : QakbotWermgrScenario.lines()) {
            Document event = RenderedLines.xml(line);
            assertThat(RenderedLines.system(event, "Channel")).isEqualTo("Microsoft-Windows-Sysmon/Operational");
            assertThat(RenderedLines.eventData(event)).containsKeys("RuleName", "UtcTime");
        }
    }

    /** Groups as CONTRACT rules 1 and 2 define them; the sequence as rule 3 does. */
    @Test
    void attackRaisesExactlyTheAlertsItsReadmeStates() throws IOException {
        Map<String, Integer> pipeAlerts = new TreeMap<>();
        Map<String, Integer> dnsAlerts = new TreeMap<>();
        Map<String, Long> firstPipe = new HashMap<>();
        Map<String, Long> firstLookup = new HashMap<>();
        for (Step step : QakbotWermgrScenario.steps()) {
            SysmonEvent e = step.event();
            String process = key(e.host, SysmonEvent.guidKey(e.processGuid));
            if (ContractRules.matchesPipeRule(e)) {
                pipeAlerts.merge(key(process, e.processId, e.image, e.eventType, e.pipeName, e.user), 1, Integer::sum);
                firstPipe.merge(process, e.eventTime, Math::min);
            }
            if (ContractRules.matchesDnsRule(e)) {
                dnsAlerts.merge(key(process, e.processId, e.image, e.queryName, e.queryStatus, e.queryResults), 1,
                        Integer::sum);
                firstLookup.merge(process, e.eventTime, Math::min);
            }
        }
        Set<String> sequences = new TreeSet<>();
        firstPipe.forEach((process, pipeTime) -> {
            Long lookupTime = firstLookup.get(process);
            if (lookupTime != null && Math.abs(lookupTime - pipeTime) <= ONE_HOUR) {
                sequences.add(process);
            }
        });
        String g = key(QakbotWermgrScenario.HOST, SysmonEvent.guidKey(QakbotWermgrScenario.G));

        assertThat(pipeAlerts).hasSize(3).allSatisfy((group, count) -> assertThat(group).startsWith(g));
        assertThat(pipeAlerts.values()).containsExactlyInAnyOrder(1, 2, 1);
        assertThat(dnsAlerts).hasSize(4);
        assertThat(dnsAlerts.values()).containsExactlyInAnyOrder(2, 1, 1, 1);
        assertThat(sequences).containsExactly(g);

        String readme = Files.readString(ATTACK_README, StandardCharsets.UTF_8);
        assertThat(readme).contains(
                "| 2f3a4092-548b-421c-9caa-84918e1787ef | Wermgr named pipe | 3 |",
                "| ed313326-a0f9-11eb-a89c-acde48001122 | Wermgr IP-check lookup | 4 |",
                "| f1a81b48-2139-4631-b968-ff5db9979678 | Sequence | 1 |",
                "**8 alerts**", QakbotWermgrScenario.G, QakbotWermgrScenario.G2, QakbotWermgrScenario.PIPE,
                QakbotWermgrScenario.SECOND_PIPE);
    }

    /** The job itself on the samples: the sequence alert lists all that G did, as the README says. */
    @Test
    void theReplaysSequenceAlertListsEveryLookupAndEveryAlertOfG(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("alerts.jsonl");
        ReplayCommand replay = new ReplayCommand();
        new CommandLine(replay).parseArgs("--input", "job/samples", "--output", out.toString(), "--quiet");
        replay.run();
        List<JsonNode> alerts = Files.readAllLines(out).stream().map(RenderedLines::json).toList();
        assertThat(alerts).hasSize(8);
        JsonNode sequence = alerts.stream().filter(a -> a.at("/rule/id").asText().equals("f1a81b48-2139-4631-b968-ff5db9979678"))
                .findFirst().orElseThrow();
        List<String> queries = new java.util.ArrayList<>();
        sequence.at("/sysmon_cep/query_names").forEach(q -> queries.add(q.asText()));
        assertThat(queries).containsExactly("api.ipify.org", "ipinfo.io", "www.myexternalip.com");
        assertThat(sequence.at("/sysmon_cep/pipe_names")).hasSize(2);
        assertThat(sequence.at("/sysmon_cep/related_alert_ids")).hasSize(6);
        assertThat(sequence.at("/event/start").asText()).isEqualTo("2024-03-12T09:14:40.317Z");
        assertThat(sequence.at("/event/end").asText()).isEqualTo("2024-03-12T09:31:00.412Z");
    }

    @Test
    void realSamplesAreTheOtrfFilesAndRaiseNoAlert() throws IOException {
        List<String> lsass = Files.readAllLines(REAL.resolve("otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl"));
        List<String> variants = Files.readAllLines(REAL.resolve("otrf_format_variants_sample.jsonl"));
        assertThat(lsass).hasSize(685);
        assertThat(variants).hasSize(11);

        Map<String, Integer> wermgrLookups = new TreeMap<>();
        for (String line : concat(lsass, variants)) {
            JsonNode event = RenderedLines.json(line);
            String image = event.path("Image").asText("").toLowerCase(Locale.ROOT);
            int eventId = event.path("EventID").asInt();
            boolean wermgr = image.endsWith("\\wermgr.exe");
            assertThat(wermgr && (eventId == 17 || eventId == 18)).as(line).isFalse();
            assertThat(ContractRules.isIpCheckName(event.path("QueryName").asText(null))).as(line).isFalse();
            if (wermgr && eventId == 22) {
                wermgrLookups.merge(event.get("QueryName").asText(), 1, Integer::sum);
            }
        }
        assertThat(wermgrLookups).containsExactly(Map.entry("umwatson.events.data.microsoft.com", 368));
        assertThat(Files.readString(REAL.resolve("_PROVENANCE.md")))
                .contains("d9d40ef123d2c87d5d3df28c96bcab4f0faccc87", "MIT");
    }

    private static String key(String... parts) {
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            key.append(part == null ? "" : part.toLowerCase(Locale.ROOT)).append('|');
        }
        return key.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
