package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each input format and OTRF dialect, from real lines (see src/test/resources/real-lines/PROVENANCE.md). */
class SysmonLineParserRealLinesTest {

    private static final String DIALECT_C = "real-lines/otrf_dialect_c_lsass_campaign_05.jsonl";
    private static final String DIALECT_A = "real-lines/otrf_dialect_a_covenant_psremoting.jsonl";
    private static final String DIALECT_B = "real-lines/otrf_dialect_b_empire_rubeus.jsonl";
    private static final String SPLUNK_XML = "real-lines/splunk_sysmon_eventid_17_18_22.xml";
    private static final String MIXED_CHANNELS = "real-lines/otrf_psh_cmstp_mixed_channels.jsonl";
    private static final String ECS = "real-lines/ecs_winlogbeat8_sysmon_handwritten.jsonl";

    private final SysmonLineParser parser = new SysmonLineParser();

    private SysmonRecord parse(String resource, int line) {
        byte[] bytes = TestLines.line(resource, line);
        return parser.parse(bytes, 0, bytes.length, Origin.fileLine(resource, line));
    }

    private SysmonEvent event(String resource, int line) {
        SysmonRecord record = parse(resource, line);
        assertThat(record.kind).as("%s", record).isEqualTo(Kind.EVENT);
        assertThat(record.event.origin).isEqualTo(Origin.fileLine(resource, line));
        return record.event;
    }

    private static long time(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void dialectCWermgrDnsQuery() {
        SysmonEvent e = event(DIALECT_C, 1);
        assertThat(e.format).isEqualTo(SourceFormat.FLAT_JSON);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.host).isEqualTo("MKT01.pandalab.com");
        // UtcTime, not @timestamp (2023-09-05T09:51:51.552Z), which is hours off in this data set.
        assertThat(e.eventTime).isEqualTo(time("2023-09-05T16:46:33.808Z"));
        assertThat(e.processGuid).isEqualTo("{ec2b781c-0528-64f8-8106-000000000500}");
        assertThat(e.processId).isEqualTo("3888");
        assertThat(e.image).isEqualTo("C:\\Windows\\system32\\wermgr.exe");
        assertThat(e.processName()).isEqualTo("wermgr.exe");
        assertThat(e.user).isEqualTo("NT AUTHORITY\\SYSTEM");
        assertThat(e.queryName).isEqualTo("umwatson.events.data.microsoft.com");
        assertThat(e.queryStatus).isEqualTo("9502");
        assertThat(e.queryResults).isEqualTo("-");
        assertThat(e.eventType).isNull();
        assertThat(e.pipeName).isNull();
    }

    @Test
    void dialectCPipeEvents() {
        SysmonEvent created = event(DIALECT_C, 2);
        assertThat(created.eventId).isEqualTo(17);
        assertThat(created.eventType).isEqualTo("CreatePipe");
        assertThat(created.pipeName).isEqualTo("\\LOCAL\\crashpad_6948_AUCUCHDQVZFLVNOS");
        assertThat(created.processId).isEqualTo("6948");
        assertThat(created.image).isEqualTo("C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe");
        assertThat(created.user).isEqualTo("PANDALAB\\stevie.marie");
        assertThat(created.eventTime).isEqualTo(time("2023-09-06T04:51:55.895Z"));

        SysmonEvent connected = event(DIALECT_C, 3);
        assertThat(connected.eventId).isEqualTo(18);
        assertThat(connected.eventType).isEqualTo("ConnectPipe");
        assertThat(connected.pipeName).isEqualTo("\\VBoxTrayIPC-stevie.marie");
        assertThat(connected.processGuid).isEqualTo("{ec2b781c-7051-64f7-2700-000000000500}");
        assertThat(connected.processId).isEqualTo("1556");
    }

    @Test
    void dialectATakesEventTypeAndProcessIdFromMessage() {
        SysmonEvent e = event(DIALECT_A, 1);
        assertThat(e.format).isEqualTo(SourceFormat.FLAT_JSON);
        assertThat(e.eventId).isEqualTo(18);
        assertThat(e.eventType).as("nxlog's EventType is its severity INFO").isEqualTo("ConnectPipe");
        assertThat(e.processId).as("ProcessID 3140 is the Sysmon service").isEqualTo("3024");
        assertThat(e.host).as("not the collector in 'host'").isEqualTo("IT001.shire.com");
        assertThat(e.processGuid).isEqualTo("{a158f72c-623c-5de8-0000-001015537400}");
        assertThat(e.image).isEqualTo("C:\\Windows\\system32\\svchost.exe");
        assertThat(e.pipeName).isEqualTo("\\lsass");
        assertThat(e.user).isEqualTo("NT AUTHORITY\\SYSTEM");
        assertThat(e.eventTime).isEqualTo(time("2019-12-05T01:49:48.135Z"));
    }

    @Test
    void dialectADecodesEscapedPipeName() {
        SysmonEvent e = event(DIALECT_A, 5);
        assertThat(e.eventId).isEqualTo(17);
        assertThat(e.pipeName).isEqualTo("<Anonymous Pipe>");
        assertThat(e.eventType).isEqualTo("CreatePipe");
        assertThat(e.processId).isEqualTo("4676");
        assertThat(e.host).isEqualTo("HR001.shire.com");
    }

    @Test
    void dialectADnsQueryKeepsWhatTheSourceSays() {
        SysmonEvent e = event(DIALECT_A, 3);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.queryName).isEqualTo("localhost");
        assertThat(e.queryStatus).isEqualTo("0");
        assertThat(e.queryResults).isEqualTo("::1;::ffff:127.0.0.1;");
        assertThat(e.processId).isEqualTo("3024");
        assertThat(e.eventType).as("only pipe events get their EventType corrected").isEqualTo("INFO");
    }

    @Test
    void dialectBDerivesEventTypeFromEventId() {
        SysmonEvent connected = event(DIALECT_B, 2);
        assertThat(connected.eventId).isEqualTo(18);
        assertThat(connected.eventType).isEqualTo("ConnectPipe");
        assertThat(connected.pipeName).isEqualTo("\\srvsvc");
        assertThat(connected.processId).as("dialect B has no Sysmon ProcessId at all").isNull();
        assertThat(connected.host).isEqualTo("WORKSTATION5.theshire.local");
        assertThat(connected.image).isEqualTo("C:\\windows\\system32\\wbem\\wmiprvse.exe");
        assertThat(connected.eventTime).isEqualTo(time("2020-09-22T03:03:04.120Z"));

        SysmonEvent created = event(DIALECT_B, 4);
        assertThat(created.eventType).isEqualTo("CreatePipe");
        assertThat(created.pipeName).isEqualTo("<Anonymous Pipe>");
    }

    @Test
    void dialectBDecodesEscapedImage() {
        SysmonEvent e = event(DIALECT_B, 5);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.image).isEqualTo("<unknown process>");
        assertThat(e.queryName).isEqualTo("MORDORDC.theshire.local");
        assertThat(e.host).isEqualTo("WORKSTATION6.theshire.local");
    }

    @Test
    void splunkXmlTrickBotWermgrDnsQuery() {
        SysmonEvent e = event(SPLUNK_XML, 3);
        assertThat(e.format).isEqualTo(SourceFormat.XML);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.host).isEqualTo("win-dc-299.attackrange.local");
        assertThat(e.queryName).isEqualTo("50.220.65.3.spam.dnsbl.sorbs.net");
        assertThat(e.queryStatus).isEqualTo("9003");
        assertThat(e.queryResults).isEqualTo("-");
        assertThat(e.processId).isEqualTo("7172");
        assertThat(e.processGuid).isEqualTo("{3CFDEE80-2F7D-605B-F50A-00000000AE01}");
        assertThat(e.image).isEqualTo("C:\\Windows\\System32\\wermgr.exe");
        assertThat(e.eventTime).as("UtcTime, not TimeCreated 12:25:15.098").isEqualTo(time("2021-03-24T12:25:12.840Z"));
        assertThat(e.user).as("no User data: the record's SID").isEqualTo("S-1-5-18");
        assertThat(e.eventType).isNull();
    }

    @Test
    void splunkXmlPipeEvents() {
        SysmonEvent created = event(SPLUNK_XML, 1);
        assertThat(created.eventId).isEqualTo(17);
        assertThat(created.eventType).isEqualTo("CreatePipe");
        assertThat(created.pipeName).isEqualTo("\\MSSE-1516-server");
        assertThat(created.image).isEqualTo("C:\\Users\\Administrator\\Desktop\\beacon.exe");
        assertThat(created.processId).isEqualTo("6960");
        assertThat(created.host).isEqualTo("win-dc-982.attackrange.local");
        assertThat(created.eventTime).isEqualTo(time("2021-04-19T21:00:18.288Z"));

        SysmonEvent connected = event(SPLUNK_XML, 2);
        assertThat(connected.eventId).isEqualTo(18);
        assertThat(connected.eventType).isEqualTo("ConnectPipe");
        assertThat(connected.processGuid).isEqualTo("{761B69BB-EF62-607D-B211-00000000BA01}");
    }

    @Test
    void securityAndSystemChannelsAreNotSysmon() {
        for (int line = 1; line <= 3; line++) {
            SysmonRecord record = parse(MIXED_CHANNELS, line);
            assertThat(record.kind).as("line %d: %s", line, record).isEqualTo(Kind.NOT_SYSMON);
            assertThat(record.format).isEqualTo(SourceFormat.FLAT_JSON);
        }
    }

    @Test
    void sysmonLineWithCarriageReturnBetweenSecurityLines() {
        byte[] line = TestLines.line(MIXED_CHANNELS, 4);
        assertThat(line[line.length - 1]).isEqualTo((byte) '\r');
        SysmonEvent e = event(MIXED_CHANNELS, 4);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.queryName).isEqualTo("github.com");
        assertThat(e.image).isEqualTo("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
        assertThat(e.processId).isEqualTo("6708");
        assertThat(e.host).isEqualTo("WORKSTATION5");
        assertThat(e.eventTime).isEqualTo(time("2020-10-22T05:54:21.349Z"));
        assertThat(e.user).isNull();
    }

    @Test
    void ecsWinlogbeatDnsQuery() {
        SysmonEvent e = event(ECS, 1);
        assertThat(e.format).isEqualTo(SourceFormat.ECS_JSON);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.host).as("winlog.computer_name before host.name").isEqualTo("WS-FIN-07.corp.example.com");
        assertThat(e.eventTime).isEqualTo(time("2024-03-12T09:41:07.498Z"));
        assertThat(e.processGuid).isEqualTo("{7c1f3b9a-2f61-65f0-4c02-000000001c00}");
        assertThat(e.processId).as("process.pid is a JSON number").isEqualTo("6188");
        assertThat(e.image).isEqualTo("C:\\Windows\\System32\\wermgr.exe");
        assertThat(e.user).isEqualTo("NT AUTHORITY\\SYSTEM");
        assertThat(e.queryName).isEqualTo("checkip.amazonaws.com");
        assertThat(e.queryStatus).isEqualTo("0");
        assertThat(e.queryResults).isEqualTo("type:  5 checkip.us-east-1.amazonaws.com;::ffff:3.224.48.111;::ffff:52.6.79.229;");
        assertThat(e.pipeName).isNull();
        assertThat(e.eventType).isNull();
    }

    @Test
    void ecsWinlogbeatPipeCreated() {
        SysmonEvent e = event(ECS, 2);
        assertThat(e.format).isEqualTo(SourceFormat.ECS_JSON);
        assertThat(e.eventId).isEqualTo(17);
        assertThat(e.eventType).isEqualTo("CreatePipe");
        assertThat(e.pipeName).as("Winlogbeat's file.name").isEqualTo("\\4c1b2e7a90d3");
        assertThat(e.processGuid).isEqualTo("{7c1f3b9a-2f61-65f0-4c02-000000001c00}");
        assertThat(e.eventTime).isEqualTo(time("2024-03-12T09:40:58.116Z"));
    }
}
