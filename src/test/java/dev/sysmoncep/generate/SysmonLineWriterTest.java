package dev.sysmoncep.generate;

import static dev.sysmoncep.generate.RenderedLines.eventData;
import static dev.sysmoncep.generate.RenderedLines.json;
import static dev.sysmoncep.generate.RenderedLines.system;
import static dev.sysmoncep.generate.RenderedLines.systemAttribute;
import static dev.sysmoncep.generate.RenderedLines.utcTimeMillis;
import static dev.sysmoncep.generate.RenderedLines.xml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

class SysmonLineWriterTest {

    /** EventData fields that SysmonEvent carries; everything else travels as extra EventData. */
    private static final Set<String> CARRIED = Set.of("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image",
            "User", "EventType", "PipeName", "QueryName", "QueryStatus", "QueryResults");

    private static final Path OTRF_LSASS_05 =
            Path.of("job/samples/real/otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl");

    @Test
    void xmlHasTheExactShapeOfSplunksRealExamples() throws IOException {
        List<String> real = splunkExamples();
        assertThat(real).hasSize(3);
        for (String realLine : real) {
            Document parsed = xml(realLine);
            SysmonEvent e = new SysmonEvent();
            e.host = system(parsed, "Computer");
            e.eventId = Integer.parseInt(system(parsed, "EventID"));
            Map<String, String> extra = carry(eventData(parsed), e);

            String rendered = SysmonLineWriter.render(e, extra, SourceFormat.XML);

            // Only the event log's own record data differs: when and under which ids it was written.
            assertThat(withoutRecordData(rendered)).isEqualTo(withoutRecordData(realLine));
            Document back = xml(rendered);
            String systemTime = systemAttribute(back, "TimeCreated", "SystemTime");
            assertThat(systemTime).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}00Z");
            long delay = java.time.Instant.parse(systemTime).toEpochMilli() - e.eventTime;
            assertThat(delay).isBetween(100L, 500L);
            assertThat(system(back, "EventRecordID")).matches("\\d+");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 17, 18, 22})
    void flatJsonEqualsOtrfCleanDialectIncludingMessage(int eventId) throws IOException {
        ObjectNode real = firstOtrfEvent(eventId);
        SysmonEvent e = new SysmonEvent();
        e.host = real.get("Hostname").asText();
        e.eventId = eventId;
        Map<String, String> extra = carry(otrfEventData(real), e);

        JsonNode rendered = json(SysmonLineWriter.render(e, extra, SourceFormat.FLAT_JSON));

        // The 2023 OTRF sets stamp records in the collector's time zone; ours are in UTC.
        assertThat(fieldNames(rendered)).isEqualTo(fieldNames(real));
        assertThat(withoutRecordTimes(rendered)).isEqualTo(withoutRecordTimes(real));
    }

    @Test
    void flatJsonOfProcessCreateKeepsEveryFieldInSysmonsOrder() throws IOException {
        ObjectNode real = firstOtrfEvent(1);
        SysmonEvent e = new SysmonEvent();
        e.host = real.get("Hostname").asText();
        e.eventId = 1;
        Map<String, String> extra = carry(otrfEventData(real), e);

        JsonNode rendered = json(SysmonLineWriter.render(e, extra, SourceFormat.FLAT_JSON));

        assertThat(fieldNames(rendered)).isEqualTo(fieldNames(real));
        // Sysmon's message writes LogonId in upper case, its field in lower case: compare the rest.
        JsonNode expected = withoutRecordTimes(real).without("Message");
        JsonNode actual = withoutRecordTimes(rendered).without("Message");
        assertThat(actual).isEqualTo(expected);
        assertThat(rendered.get("Message").asText())
                .startsWith("Process Create:\r\nRuleName: -\r\nUtcTime: " + real.get("UtcTime").asText())
                .endsWith("\r\nParentUser: NT AUTHORITY\\SYSTEM");
    }

    @Test
    void ecsJsonOfDnsQueryHasWinlogbeatShape() {
        SysmonEvent e = dnsQuery();

        JsonNode ecs = json(SysmonLineWriter.render(e, null, SourceFormat.ECS_JSON));

        assertThat(ecs.get("@timestamp").asText()).matches("2024-03-12T09:15:1\\d\\.\\d{3}Z");
        assertThat(ecs.at("/event/code").isTextual()).isTrue();
        assertThat(ecs.at("/event/code").asText()).isEqualTo("22");
        assertThat(ecs.at("/event/kind").asText()).isEqualTo("event");
        assertThat(ecs.at("/event/module").asText()).isEqualTo("sysmon");
        assertThat(ecs.at("/event/provider").asText()).isEqualTo("Microsoft-Windows-Sysmon");
        assertThat(texts(ecs.at("/event/category"))).containsExactly("network");
        assertThat(ecs.at("/event/created").asText()).isNotEmpty();
        assertThat(ecs.at("/host/name").asText()).isEqualTo("ws-fin-07");
        assertThat(ecs.at("/winlog/computer_name").asText()).isEqualTo("WS-FIN-07.corp.example.com");
        assertThat(ecs.at("/winlog/channel").asText()).isEqualTo("Microsoft-Windows-Sysmon/Operational");
        assertThat(ecs.at("/winlog/event_id").asText()).isEqualTo("22");
        assertThat(ecs.at("/winlog/event_id").isTextual()).isTrue();
        assertThat(ecs.at("/winlog/provider_name").asText()).isEqualTo("Microsoft-Windows-Sysmon");
        assertThat(ecs.at("/winlog/record_id").asText()).matches("\\d+");
        assertThat(ecs.at("/process/entity_id").asText()).isEqualTo(e.processGuid);
        assertThat(ecs.at("/process/pid").isNumber()).isTrue();
        assertThat(ecs.at("/process/pid").asLong()).isEqualTo(4312L);
        assertThat(ecs.at("/process/executable").asText()).isEqualTo(e.image);
        assertThat(ecs.at("/process/name").asText()).isEqualTo("wermgr.exe");
        assertThat(ecs.at("/dns/question/name").asText()).isEqualTo("api.ipify.org");
        assertThat(ecs.at("/user/domain").asText()).isEqualTo("CORP");
        assertThat(ecs.at("/user/name").asText()).isEqualTo("m.keller");
        assertThat(ecs.at("/agent/type").asText()).isEqualTo("winlogbeat");
        assertThat(ecs.at("/ecs/version").asText()).isNotEmpty();

        // Winlogbeat's sysmon module: UtcTime parsed into @timestamp, QueryStatus by name, QueryResults split.
        assertThat(ecs.at("/@timestamp").asText()).isEqualTo("2024-03-12T09:15:12.905Z");
        assertThat(ecs.at("/sysmon/dns/status").asText()).isEqualTo("SUCCESS");
        assertThat(ecs.at("/dns/answers/0/type").asText()).isEqualTo("A");
        assertThat(ecs.at("/dns/answers/0/data").asText()).isEqualTo("192.0.2.10");
        assertThat(texts(ecs.at("/dns/resolved_ip"))).containsExactly("192.0.2.10");
        assertThat(fieldNames(ecs.at("/winlog/event_data"))).containsExactly("RuleName");
    }

    @Test
    void ecsJsonOfPipeEventPutsThePipeInFileName() {
        SysmonEvent e = dnsQuery();
        e.eventId = 18;
        e.eventType = "ConnectPipe";
        e.pipeName = "\\{3A4B8E21-9C0D-4F5E-A1B2-C3D4E5F60718}";
        e.queryName = null;
        e.queryStatus = null;
        e.queryResults = null;

        JsonNode ecs = json(SysmonLineWriter.render(e, null, SourceFormat.ECS_JSON));

        assertThat(ecs.at("/file/name").asText()).isEqualTo(e.pipeName);
        assertThat(ecs.at("/dns").isMissingNode()).isTrue();
        assertThat(texts(ecs.at("/event/category"))).containsExactly("file");
        assertThat(fieldNames(ecs.at("/winlog/event_data"))).containsExactly("RuleName", "EventType");
        assertThat(ecs.at("/winlog/event_data/EventType").asText()).isEqualTo("ConnectPipe");
        assertThat(ecs.at("/winlog/task").asText()).isEqualTo("Pipe Connected (rule: PipeEvent)");
    }

    @Test
    void extraEventDataIsRenderedInAllThreeFormats() {
        SysmonEvent e = dnsQuery();
        e.eventId = 1;
        e.queryName = null;
        e.queryStatus = null;
        e.queryResults = null;
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("ParentUser", "CORP\\m.keller");
        extra.put("CommandLine", "\"C:\\Windows\\SysWOW64\\rundll32.exe\" C:\\Users\\m.keller\\a.dll,DllRegisterServer");
        extra.put("Hashes", "SHA256=00FF");
        extra.put("ParentImage", "C:\\Windows\\explorer.exe");
        extra.put("ParentProcessId", "5120");
        extra.put("LogonId", "0x5d2c1a");
        extra.put("Collector", "not a Sysmon field");

        Map<String, String> xmlData = eventData(xml(SysmonLineWriter.render(e, extra, SourceFormat.XML)));
        // Sysmon's order for event 1, whatever the map's order; unknown fields after them.
        assertThat(new ArrayList<>(xmlData.keySet())).containsExactly("RuleName", "UtcTime", "ProcessGuid",
                "ProcessId", "Image", "CommandLine", "User", "LogonId", "Hashes", "ParentProcessId", "ParentImage",
                "ParentUser", "Collector");
        assertThat(xmlData).containsEntry("CommandLine", extra.get("CommandLine"));

        JsonNode flat = json(SysmonLineWriter.render(e, extra, SourceFormat.FLAT_JSON));
        assertThat(flat.get("CommandLine").asText()).isEqualTo(extra.get("CommandLine"));
        assertThat(flat.get("Collector").asText()).isEqualTo("not a Sysmon field");
        assertThat(flat.get("Message").asText()).contains("\r\nCommandLine: " + extra.get("CommandLine") + "\r\n");

        JsonNode ecs = json(SysmonLineWriter.render(e, extra, SourceFormat.ECS_JSON));
        assertThat(ecs.at("/process/command_line").asText()).isEqualTo(extra.get("CommandLine"));
        assertThat(ecs.at("/process/parent/executable").asText()).isEqualTo("C:\\Windows\\explorer.exe");
        assertThat(ecs.at("/process/parent/name").asText()).isEqualTo("explorer.exe");
        assertThat(ecs.at("/process/parent/pid").asLong()).isEqualTo(5120L);
        assertThat(fieldNames(ecs.at("/winlog/event_data")))
                .containsExactly("RuleName", "LogonId", "Hashes", "ParentUser", "Collector");
    }

    @Test
    void processAccessNamesTheAccessingProcessSource() {
        SysmonEvent e = dnsQuery();
        e.eventId = 10;
        e.queryName = null;
        e.queryStatus = null;
        e.queryResults = null;
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("TargetImage", "C:\\Windows\\SysWOW64\\wermgr.exe");
        extra.put("GrantedAccess", "0x1FFFFF");

        Map<String, String> data = eventData(xml(SysmonLineWriter.render(e, extra, SourceFormat.XML)));

        assertThat(data).containsEntry("SourceProcessGUID", e.processGuid)
                .containsEntry("SourceProcessId", e.processId)
                .containsEntry("SourceImage", e.image)
                .containsEntry("SourceUser", e.user)
                .doesNotContainKeys("ProcessGuid", "Image", "User");
        JsonNode ecs = json(SysmonLineWriter.render(e, extra, SourceFormat.ECS_JSON));
        assertThat(ecs.at("/process/entity_id").asText()).isEqualTo(e.processGuid);
        assertThat(ecs.at("/winlog/event_data/TargetImage").asText()).isEqualTo(extra.get("TargetImage"));
    }

    @Test
    void specialCharactersSurviveEveryFormatOnOneLine() {
        SysmonEvent e = dnsQuery();
        e.eventId = 1;
        e.image = "C:\\Temp\\a&b <'x'> \"y\".exe";
        e.user = "CORP\\o'brien";
        Map<String, String> extra = Map.of("CommandLine", "cmd /c \"echo <1> & echo '2'\"\r\nnext\tline");

        for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
            String line = SysmonLineWriter.render(e, extra, format);
            assertThat(line).doesNotContain("\n", "\r");
            if (format == SourceFormat.XML) {
                Map<String, String> data = eventData(xml(line));
                assertThat(data).containsEntry("Image", e.image).containsEntry("User", e.user)
                        .containsEntry("CommandLine", extra.get("CommandLine"));
            } else if (format == SourceFormat.FLAT_JSON) {
                assertThat(json(line).get("Image").asText()).isEqualTo(e.image);
                assertThat(json(line).get("CommandLine").asText()).isEqualTo(extra.get("CommandLine"));
            } else {
                assertThat(json(line).at("/process/executable").asText()).isEqualTo(e.image);
                assertThat(json(line).at("/process/command_line").asText()).isEqualTo(extra.get("CommandLine"));
                assertThat(json(line).at("/user/name").asText()).isEqualTo("o'brien");
            }
        }
    }

    @Test
    void sameEventGivesTheSameLine() {
        for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
            assertThat(SysmonLineWriter.render(dnsQuery(), null, format))
                    .isEqualTo(SysmonLineWriter.render(dnsQuery(), null, format));
        }
    }

    // ---- helpers

    private static SysmonEvent dnsQuery() {
        SysmonEvent e = new SysmonEvent();
        e.host = "WS-FIN-07.corp.example.com";
        e.eventId = 22;
        e.eventTime = utcTimeMillis("2024-03-12 09:15:12.905");
        e.processGuid = "{8A3F1C2D-1E3D-65F0-A203-000000000600}";
        e.processId = "4312";
        e.image = "C:\\Windows\\SysWOW64\\wermgr.exe";
        e.user = "CORP\\m.keller";
        e.queryName = "api.ipify.org";
        e.queryStatus = "0";
        e.queryResults = "::ffff:192.0.2.10;";
        return e;
    }

    /** Moves the fields SysmonEvent carries into {@code e}; returns the rest, in order. */
    private static Map<String, String> carry(Map<String, String> data, SysmonEvent e) {
        Map<String, String> extra = new LinkedHashMap<>();
        data.forEach((name, value) -> {
            switch (name) {
                case "UtcTime" -> e.eventTime = utcTimeMillis(value);
                case "ProcessGuid" -> e.processGuid = value;
                case "ProcessId" -> e.processId = value;
                case "Image" -> e.image = value;
                case "User" -> e.user = value;
                case "EventType" -> e.eventType = value;
                case "PipeName" -> e.pipeName = value;
                case "QueryName" -> e.queryName = value;
                case "QueryStatus" -> e.queryStatus = value;
                case "QueryResults" -> e.queryResults = value;
                default -> {
                    if (!CARRIED.contains(name)) {
                        extra.put(name, value);
                    }
                }
            }
        });
        return extra;
    }

    /** The EventData of an OTRF clean-dialect line: every field after Task. */
    private static Map<String, String> otrfEventData(ObjectNode line) {
        Map<String, String> data = new LinkedHashMap<>();
        boolean afterTask = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (afterTask) {
                data.put(field.getKey(), field.getValue().asText());
            }
            afterTask |= field.getKey().equals("Task");
        }
        return data;
    }

    private static ObjectNode firstOtrfEvent(int eventId) throws IOException {
        try (var lines = Files.lines(OTRF_LSASS_05)) {
            return lines.map(RenderedLines::json)
                    .filter(n -> n.get("EventID").asInt() == eventId)
                    .map(ObjectNode.class::cast)
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static ObjectNode withoutRecordTimes(JsonNode line) {
        return ((ObjectNode) line.deepCopy()).without(List.of("TimeCreated", "@timestamp"));
    }

    private static String withoutRecordData(String xmlLine) {
        return xmlLine.replaceAll("SystemTime='[^']*'", "SystemTime='?'")
                .replaceAll("<EventRecordID>\\d+</EventRecordID>", "<EventRecordID>?</EventRecordID>")
                .replaceAll("ProcessID='\\d+' ThreadID='\\d+'", "ProcessID='?' ThreadID='?'");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<String> splunkExamples() throws IOException {
        try (InputStream in = SysmonLineWriterTest.class.getResourceAsStream("splunk_security_content_sysmon_examples.xml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
