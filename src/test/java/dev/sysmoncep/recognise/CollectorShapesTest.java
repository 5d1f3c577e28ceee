package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonField;
import dev.sysmoncep.records.SysmonRecord;
import dev.sysmoncep.records.SysmonRecord.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What real collectors send, each expectation written from Sysmon's, Splunk's and Winlogbeat's own
 * behaviour: Winlogbeat's sysmon module rewrites the DNS fields, XML names the user by SID and nxlog
 * by account, collectors type numbers as floats, give a field twice, put their own severity where
 * EventType belongs, and PowerShell exports Get-WinEvent as JSON.
 */
class CollectorShapesTest {
    private final SysmonLineParser parser = new SysmonLineParser();

    private SysmonRecord parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 0, b.length, Origin.fileLine("test", 1));
    }

    private SysmonEvent event(String line) {
        SysmonRecord r = parse(line);
        assertThat(r.kind).as("%s", r).isEqualTo(Kind.EVENT);
        return r.event;
    }

    private static final String ECS_DNS_MODULE = "{\"@timestamp\":\"2024-03-12T09:15:12.905Z\","
            + "\"winlog\":{\"event_id\":\"22\",\"computer_name\":\"WS-FIN-07.corp.example.com\","
            + "\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"provider_name\":\"Microsoft-Windows-Sysmon\","
            + "\"event_data\":{\"RuleName\":\"-\"}},"
            + "\"process\":{\"entity_id\":\"{8A3F1C2D-1E3D-65F0-A203-000000000600}\",\"pid\":4312,"
            + "\"executable\":\"C:\\\\Windows\\\\SysWOW64\\\\wermgr.exe\"},"
            + "\"dns\":{\"question\":{\"name\":\"api.ipify.org\"},\"answers\":[{\"type\":\"CNAME\",\"data\":\"api4.ipify.org\"},"
            + "{\"type\":\"A\",\"data\":\"192.0.2.10\"}],\"resolved_ip\":[\"192.0.2.10\"]},"
            + "\"sysmon\":{\"dns\":{\"status\":\"SUCCESS\"}}}";

    @Test
    void winlogbeatsDnsShapeGivesBackSysmonsQueryStatusAndQueryResults() {
        SysmonEvent e = event(ECS_DNS_MODULE);
        assertThat(e.queryStatus).isEqualTo("0");
        assertThat(e.queryResults).isEqualTo("type:  5 api4.ipify.org;::ffff:192.0.2.10;");
        assertThat(e.eventTime).isEqualTo(java.time.Instant.parse("2024-03-12T09:15:12.905Z").toEpochMilli());
    }

    @Test
    void aNameErrorWithoutAnswersIsSysmonsDash() {
        SysmonEvent e = event(ECS_DNS_MODULE.replaceFirst(",\"answers\":\\[[^]]*\\],\"resolved_ip\":\\[[^]]*\\]", "")
                .replace("SUCCESS", "DNS_ERROR_RCODE_NAME_ERROR"));
        assertThat(e.queryStatus).isEqualTo("9003");
        assertThat(e.queryResults).isEqualTo("-");
    }

    /**
     * The sysmon module names every status code of its table, the rare ones too: a lookup that failed
     * with Sysmon's 9701 arrives as DNS_ERROR_RECORD_DOES_NOT_EXIST, and must key the rule-2 group
     * (QueryStatus is a group-by field) that Sysmon's own 9701 keys in XML.
     */
    @Test
    void everyStatusNameTheSysmonModuleWritesGoesBackToSysmonsCode() {
        Map<String, String> codes = Map.of("ERROR_NOT_ENOUGH_MEMORY", "8", "DNS_ERROR_RCODE_BADSIG", "9016",
                "DNS_ERROR_UNSECURE_PACKET", "9505", "DNS_REQUEST_PENDING", "9506", "DNS_ERROR_TRY_AGAIN_LATER", "9554",
                "DNS_ERROR_RECORD_DOES_NOT_EXIST", "9701", "DNS_ERROR_NO_TCPIP", "9851",
                "DNS_ERROR_NSEC_INCOMPATIBLE_WITH_NSEC3_RSA_SHA1", "9130",
                "DNS_ERROR_POLICY_INVALID_CRITERIA_TIME_OF_DAY", "9996");
        codes.forEach((name, code) -> assertThat(event(ECS_DNS_MODULE.replace("SUCCESS", name)).queryStatus)
                .as(name).isEqualTo(code));
        assertThat(event(ECS_DNS_MODULE.replace("SUCCESS", "9999")).queryStatus)
                .as("a code the module has no name for, which it leaves as it is").isEqualTo("9999");
    }

    /**
     * The module names the rare record types of its table as well (HINFO is 13, NSEC 47): its answers
     * must give back Sysmon's QueryResults, a group-by field of rule 2, as Sysmon wrote them.
     */
    @Test
    void answersOfARareRecordTypeGiveBackSysmonsQueryResults() {
        String cname = "{\"type\":\"CNAME\",\"data\":\"api4.ipify.org\"}";
        assertThat(ECS_DNS_MODULE).contains(cname);
        for (String[] rare : new String[][] {{"HINFO", "13"}, {"NSEC", "47"}, {"WINS", "65281"}}) {
            String line = ECS_DNS_MODULE.replace(cname, "{\"type\":\"" + rare[0] + "\",\"data\":\"h.example\"}");
            assertThat(event(line).queryResults).as(rare[0]).isEqualTo("type:  " + rare[1] + " h.example;::ffff:192.0.2.10;");
            assertThat(DnsFields.answers("type:  " + rare[1] + " h.example;", new java.util.ArrayList<>()))
                    .as("as the module splits them").containsExactly(new DnsFields.Answer(rare[0], "h.example"));
        }
    }

    /** One event in the three formats (ECS in the module's shape) groups alike under the DNS rule. */
    @Test
    void oneDnsEventInEveryFormatKeysTheSameGroup() {
        SysmonEvent e = new SysmonEvent();
        e.host = "WS-FIN-07.corp.example.com";
        e.eventId = 22;
        e.eventTime = 1_710_234_912_905L;
        e.processGuid = "{8A3F1C2D-1E3D-65F0-A203-000000000600}";
        e.processId = "4312";
        e.image = "C:\\Windows\\SysWOW64\\wermgr.exe";
        e.queryName = "50.220.65.3.spam.dnsbl.sorbs.net";
        e.queryStatus = "9003";
        e.queryResults = "-";
        var rule = RuleSet.bundled().eventRule("ed313326-a0f9-11eb-a89c-acde48001122");
        String key = null;
        for (SourceFormat f : new SourceFormat[] {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON}) {
            SysmonEvent read = event(SysmonLineWriter.render(e, Map.of(), f));
            assertThat(rule.matches(read)).as(f.name()).isTrue();
            String k = rule.groupKey(read);
            assertThat(key == null ? k : key).as(f.name()).isEqualTo(k);
            key = k;
        }
    }

    @Test
    void aWellKnownSidAndItsAccountNameAreOneUser() {
        SysmonEvent bySid = new SysmonEvent();
        bySid.user = "S-1-5-18";
        SysmonEvent byName = new SysmonEvent();
        byName.user = "NT AUTHORITY\\SYSTEM";
        assertThat(SysmonField.USER.keyOf(bySid)).isEqualTo(SysmonField.USER.keyOf(byName));
        SysmonEvent other = new SysmonEvent();
        other.user = "S-1-5-21-1-2-3-1001";
        assertThat(SysmonField.USER.keyOf(other)).isEqualTo("s-1-5-21-1-2-3-1001");
    }

    private static final String PIPE = "{\"EventID\":%s,\"Computer\":\"ws1\",\"UtcTime\":\"2024-03-12 09:14:05.125\","
            + "\"ProcessGuid\":\"{A}\",\"Image\":\"C:\\\\Windows\\\\SysWOW64\\\\wermgr.exe\",\"PipeName\":\"\\\\p\"%s}";

    @Test
    void eventTypeIsDerivedOnlyWhereMissingOrACollectorsInfo() {
        assertThat(event(String.format(PIPE, "18", "")).eventType).isEqualTo("ConnectPipe");
        assertThat(event(String.format(PIPE, "17", ",\"EventType\":\"INFO\"")).eventType).isEqualTo("CreatePipe");
        assertThat(event(String.format(PIPE, "18", ",\"EventType\":\"PipeDisconnected\"")).eventType)
                .as("another value stays, and the pipe rule does not match it").isEqualTo("PipeDisconnected");
        var pipeRule = RuleSet.bundled().eventRule("2f3a4092-548b-421c-9caa-84918e1787ef");
        assertThat(pipeRule.matches(event(String.format(PIPE, "18", ",\"EventType\":\"PipeDisconnected\"")))).isFalse();
        assertThat(pipeRule.matches(event(String.format(PIPE, "18", ",\"EventType\":\"INFO\"")))).isTrue();
    }

    /** A collector that types every number as a float: Splunk compares numbers, so 22.0 is 22. */
    @Test
    void anIntegralFloatEventIdIsThatId() {
        assertThat(event(String.format(PIPE, "18.0", "")).eventId).isEqualTo(18);
        assertThat(event(String.format(PIPE, "\"17.00\"", "")).eventId).isEqualTo(17);
        SysmonRecord half = parse(String.format(PIPE, "17.5", ""));
        assertThat(half.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(half.deadLetter.reason).isEqualTo("event id is not an integer: '17.5'");
    }

    @Test
    void aFieldGivenTwiceWithDifferentValuesIsRefusedNamingIt() {
        SysmonRecord r = parse(String.format(PIPE, "17", ",\"Image\":\"C:\\\\Windows\\\\notepad.exe\""));
        assertThat(r.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(r.deadLetter.reason).isEqualTo("the field Image is given twice with different values");
        assertThat(event(String.format(PIPE, "17", ",\"Image\":\"C:\\\\Windows\\\\SysWOW64\\\\wermgr.exe\"")).image)
                .as("given twice alike").endsWith("wermgr.exe");
    }

    /** PowerShell's {@code Get-WinEvent | ConvertTo-Json}: Id, MachineName, /Date(ms)/, the fields only in Message. */
    @Test
    void powerShellsExportOfGetWinEventIsRead() {
        String line = "{\"Id\":22,\"ProviderName\":\"Microsoft-Windows-Sysmon\",\"LogName\":\"Microsoft-Windows-Sysmon/Operational\","
                + "\"MachineName\":\"WS-FIN-07.corp.example.com\",\"TimeCreated\":\"/Date(1710234912950)/\","
                + "\"Message\":\"Dns query:\\r\\nRuleName: -\\r\\nUtcTime: 2024-03-12 09:15:12.905\\r\\nProcessGuid: {8A3F1C2D-1E3D-65F0-A203-000000000600}"
                + "\\r\\nProcessId: 4312\\r\\nQueryName: api.ipify.org\\r\\nQueryStatus: 0\\r\\nQueryResults: ::ffff:192.0.2.10;"
                + "\\r\\nImage: C:\\\\Windows\\\\SysWOW64\\\\wermgr.exe\\r\\nUser: CORP\\\\m.keller\"}";
        SysmonEvent e = event(line);
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.host).isEqualTo("WS-FIN-07.corp.example.com");
        assertThat(e.eventTime).as("UtcTime from the Message wins").isEqualTo(1_710_234_912_905L);
        assertThat(e.queryName).isEqualTo("api.ipify.org");
        assertThat(e.image).isEqualTo("C:\\Windows\\SysWOW64\\wermgr.exe");
        assertThat(e.user).isEqualTo("CORP\\m.keller");
    }

    /**
     * A real {@code Get-WinEvent | ConvertTo-Json} record also carries the record's own ProcessId:
     * the Sysmon service's, 1092 here. The pipe belongs to wermgr.exe, pid 4312 in the Message, and
     * groups (ProcessId is a group-by field) as the same event in Splunk's XML does.
     */
    @Test
    void aPowerShellRecordsOwnProcessIdIsTheSysmonServicesAndTheEventsIsInItsMessage() {
        String message = "Pipe Created:\\r\\nRuleName: -\\r\\nEventType: CreatePipe\\r\\nUtcTime: 2024-03-12 09:00:00.000"
                + "\\r\\nProcessGuid: {8A3F1C2D-1CED-65F0-013F-000000000600}\\r\\nProcessId: 4312\\r\\nPipeName: \\\\qbot"
                + "\\r\\nImage: C:\\\\Windows\\\\SysWOW64\\\\wermgr.exe\\r\\nUser: CORP\\\\m.keller";
        String powerShell = "{\"Message\":\"" + message + "\",\"Id\":17,\"ProviderName\":\"Microsoft-Windows-Sysmon\","
                + "\"LogName\":\"Microsoft-Windows-Sysmon/Operational\",\"ProcessId\":1092,\"ThreadId\":1344,"
                + "\"MachineName\":\"WS-FIN-07.corp.example.com\",\"TimeCreated\":\"/Date(1710234000350)/\"}";
        String xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>17</EventID><TimeCreated SystemTime='2024-03-12T09:00:00.3500000Z'/>"
                + "<Execution ProcessID='1092' ThreadID='1344'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
                + "<Computer>WS-FIN-07.corp.example.com</Computer></System><EventData><Data Name='RuleName'>-</Data>"
                + "<Data Name='EventType'>CreatePipe</Data><Data Name='UtcTime'>2024-03-12 09:00:00.000</Data>"
                + "<Data Name='ProcessGuid'>{8A3F1C2D-1CED-65F0-013F-000000000600}</Data><Data Name='ProcessId'>4312</Data>"
                + "<Data Name='PipeName'>\\qbot</Data><Data Name='Image'>C:\\Windows\\SysWOW64\\wermgr.exe</Data>"
                + "<Data Name='User'>CORP\\m.keller</Data></EventData></Event>";
        SysmonEvent fromPowerShell = event(powerShell);
        assertThat(fromPowerShell.processId).isEqualTo("4312");
        var pipeRule = RuleSet.bundled().eventRule("2f3a4092-548b-421c-9caa-84918e1787ef");
        assertThat(pipeRule.matches(fromPowerShell)).isTrue();
        assertThat(pipeRule.groupKey(fromPowerShell)).isEqualTo(pipeRule.groupKey(event(xml)));
    }
}
