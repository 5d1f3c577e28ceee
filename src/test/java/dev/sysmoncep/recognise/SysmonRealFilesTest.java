package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every line of every real file (src/test/resources/real/), against the counts in data/real/README.md. */
class SysmonRealFilesTest {

    private static final long YEAR_2019 = Instant.parse("2019-01-01T00:00:00Z").toEpochMilli();
    private static final long YEAR_2025 = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    /** What a whole file became. */
    private record Parsed(int lines, List<SysmonEvent> events, int notSysmon, List<SysmonRecord> deadLetters) {

        Map<Integer, Long> countByEventId() {
            return events.stream().collect(Collectors.groupingBy(e -> e.eventId, TreeMap::new, Collectors.counting()));
        }

        List<SysmonEvent> of(int eventId, String processName) {
            return events.stream()
                    .filter(e -> e.eventId == eventId && processName.equalsIgnoreCase(e.processName()))
                    .toList();
        }
    }

    private static Parsed parseAll(String file) {
        SysmonLineParser parser = new SysmonLineParser();
        List<byte[]> lines = TestLines.of("real/" + file);
        List<SysmonEvent> events = new ArrayList<>();
        List<SysmonRecord> deadLetters = new ArrayList<>();
        int notSysmon = 0;
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            SysmonRecord record = parser.parse(line, 0, line.length, Origin.fileLine(file, i + 1));
            switch (record.kind) {
                case EVENT -> events.add(record.event);
                case NOT_SYSMON -> notSysmon++;
                case DEAD_LETTER -> deadLetters.add(record);
            }
        }
        Parsed parsed = new Parsed(lines.size(), events, notSysmon, deadLetters);
        assertThat(parsed.deadLetters()).as(file).isEmpty();
        assertSane(file, events);
        return parsed;
    }

    /** What holds for every event of every real file. */
    private static void assertSane(String file, List<SysmonEvent> events) {
        for (SysmonEvent e : events) {
            assertThat(e.host).as("%s", e).isNotBlank();
            if (e.eventId != 10) { // ProcessAccess names a source and a target process instead
                assertThat(e.processGuid).as("%s", e).startsWith("{").endsWith("}");
                assertThat(e.image).as("%s", e).isNotBlank();
            }
            assertThat(e.eventTime).as("%s", e).isBetween(YEAR_2019, YEAR_2025);
            assertThat(e.origin.source).isEqualTo(file);
            if (e.eventId == 17) {
                assertThat(e.eventType).as("%s", e).isEqualTo("CreatePipe");
            }
            if (e.eventId == 18) {
                assertThat(e.eventType).as("%s", e).isEqualTo("ConnectPipe");
            }
            if (e.eventId == 17 || e.eventId == 18) {
                assertThat(e.pipeName).as("%s", e).isNotBlank();
            }
            if (e.eventId == 22) {
                assertThat(e.queryName).as("%s", e).isNotBlank();
                assertThat(e.queryStatus).as("%s", e).isNotBlank();
            }
        }
    }

    @Test
    void lsassCampaign05() {
        Parsed p = parseAll("otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl");
        assertThat(p.lines()).isEqualTo(685);
        assertThat(p.events()).hasSize(685);
        assertThat(p.countByEventId()).containsExactly(
                entry(1, 14L), entry(5, 14L), entry(17, 51L), entry(18, 165L), entry(22, 441L));
        List<SysmonEvent> wermgrDns = p.of(22, "wermgr.exe");
        assertThat(wermgrDns).hasSize(368)
                .allSatisfy(e -> assertThat(e.queryName).isEqualTo("umwatson.events.data.microsoft.com"));
        assertThat(wermgrDns.stream().map(SysmonEvent::processGuidKey).distinct()).hasSize(11);
        assertThat(p.of(1, "wermgr.exe")).hasSize(14);
        assertThat(p.of(5, "wermgr.exe")).hasSize(14);
        assertThat(p.of(17, "wermgr.exe")).isEmpty();
        assertThat(p.of(18, "wermgr.exe")).isEmpty();
        assertThat(p.events()).allSatisfy(e -> {
            assertThat(e.format).isEqualTo(SourceFormat.FLAT_JSON);
            assertThat(e.processId).isNotBlank();
            assertThat(e.user).isNotBlank();
        });
    }

    @Test
    void lsassCampaign01() {
        Parsed p = parseAll("otrf_lsass_campaign_01_sysmon_17_18_22.jsonl");
        assertThat(p.events()).hasSize(1684);
        assertThat(p.countByEventId()).containsExactly(entry(17, 46L), entry(18, 1587L), entry(22, 51L));
        assertThat(p.events()).noneMatch(e -> "wermgr.exe".equalsIgnoreCase(e.processName()));
        Map<String, Long> pipeEventsByProcess = p.events().stream()
                .filter(e -> e.eventId == 17 || e.eventId == 18)
                .collect(Collectors.groupingBy(e -> e.processName().toLowerCase(Locale.ROOT), Collectors.counting()));
        assertThat(pipeEventsByProcess).contains(
                entry("wmiprvse.exe", 1443L), entry("msedge.exe", 91L), entry("vboxservice.exe", 77L));
    }

    @Test
    void formatVariants() {
        Parsed p = parseAll("otrf_format_variants_sample.jsonl");
        assertThat(p.events()).hasSize(11);
        assertThat(p.countByEventId()).containsExactly(entry(17, 3L), entry(18, 4L), entry(22, 4L));
        assertThat(p.events()).noneMatch(e -> e.pipeName != null && e.pipeName.contains("&"));
        assertThat(p.events()).noneMatch(e -> e.image.contains("&"));
    }

    @Test
    void splunkXml() {
        Parsed p = parseAll("splunk_security_content_sysmon_examples.xml");
        assertThat(p.events()).hasSize(3).allSatisfy(e -> assertThat(e.format).isEqualTo(SourceFormat.XML));
        assertThat(p.countByEventId()).containsExactly(entry(17, 1L), entry(18, 1L), entry(22, 1L));
        assertThat(p.of(22, "wermgr.exe")).singleElement()
                .satisfies(e -> assertThat(e.queryName).isEqualTo("50.220.65.3.spam.dnsbl.sorbs.net"));
    }

    @Test
    void pshCmstpMixedChannels() {
        Parsed p = parseAll("otrf_psh_cmstp_execution_bypassuac.jsonl.gz");
        assertThat(p.lines()).isEqualTo(1166);
        assertThat(p.notSysmon()).as("389 Security-Auditing, 1 Security and 1 System log-cleared").isEqualTo(391);
        assertThat(p.events()).hasSize(775);
        assertThat(p.countByEventId()).containsExactly(entry(1, 5L), entry(3, 2L), entry(5, 2L), entry(7, 185L),
                entry(9, 3L), entry(10, 271L), entry(11, 12L), entry(12, 51L), entry(13, 39L), entry(22, 205L));
        assertThat(p.of(22, "MsMpEng.exe")).hasSize(203);
        assertThat(p.of(22, "powershell.exe")).hasSize(2);
        assertThat(p.events()).noneMatch(e -> "wermgr.exe".equalsIgnoreCase(e.processName()));
    }
}
