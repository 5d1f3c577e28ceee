package dev.sysmoncep.recognise;

import static dev.sysmoncep.recognise.TestLines.event;
import static dev.sysmoncep.recognise.TestLines.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The normalisation rules, on small lines that isolate one rule each. */
class SysmonLineParserTest {

    private static final String ECS_DNS = "real-lines/ecs_winlogbeat8_sysmon_handwritten.jsonl";
    private static final String LSASS_DNS = "real-lines/otrf_dialect_c_lsass_campaign_05.jsonl";

    private static long time(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void numbersAndStringsGiveTheSameEvent() {
        SysmonEvent numbers = event("{\"EventID\":22,\"ProcessId\":3888,\"QueryStatus\":9502,"
                + "\"UtcTime\":\"2023-09-05 16:46:33.808\"}");
        SysmonEvent strings = event("{\"EventID\":\"22\",\"ProcessId\":\"3888\",\"QueryStatus\":\"9502\","
                + "\"UtcTime\":\"2023-09-05 16:46:33.808\"}");
        assertThat(numbers).usingRecursiveComparison().isEqualTo(strings);
        assertThat(numbers.processId).isEqualTo("3888");
        assertThat(numbers.queryStatus).isEqualTo("9502");
    }

    @Test
    void dottedKeysAndNestedObjectsGiveTheSameEvent() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String nested = TestLines.text(ECS_DNS, 1);
        ObjectNode dotted = mapper.createObjectNode();
        flatten(mapper.readTree(nested), "", dotted);
        assertThat(dotted.has("winlog.event_data.UtcTime")).isTrue();

        SysmonEvent fromNested = event(nested);
        SysmonEvent fromDotted = event(mapper.writeValueAsString(dotted));
        assertThat(fromDotted).usingRecursiveComparison().isEqualTo(fromNested);
        assertThat(fromDotted.format).isEqualTo(SourceFormat.ECS_JSON);
        assertThat(fromDotted.queryName).isEqualTo("checkip.amazonaws.com");
    }

    @Test
    void dottedKeysInsideNestedObjects() {
        SysmonEvent e = event("{\"winlog\":{\"event_data.UtcTime\":\"2024-03-12 09:41:07.498\",\"event_id\":22},"
                + "\"dns.question\":{\"name\":\"ipinfo.io\"}}");
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.queryName).isEqualTo("ipinfo.io");
        assertThat(e.eventTime).isEqualTo(time("2024-03-12T09:41:07.498Z"));
    }

    private static void flatten(JsonNode node, String prefix, ObjectNode into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix + field.getKey();
            if (field.getValue().isObject()) {
                flatten(field.getValue(), path + ".", into);
            } else {
                into.set(path, field.getValue());
            }
        }
    }

    @Test
    void utcTimeWinsOverAnOffsetTimestamp() {
        SysmonEvent e = event(TestLines.text(LSASS_DNS, 1));
        assertThat(e.eventTime).isEqualTo(time("2023-09-05T16:46:33.808Z"))
                .isNotEqualTo(time("2023-09-05T09:51:51.552Z"));
    }

    @Test
    void recordTimeWhenThereIsNoUtcTime() {
        assertThat(event("{\"EventID\":1,\"@timestamp\":\"2021-04-19T21:00:18.288457000Z\"}").eventTime)
                .isEqualTo(time("2021-04-19T21:00:18.288Z"));
        assertThat(event("{\"EventID\":1,\"TimeCreated\":\"2021-04-19T23:00:18.288+02:00\"}").eventTime)
                .isEqualTo(time("2021-04-19T21:00:18.288Z"));
        assertThat(event("{\"EventID\":1,\"event\":{\"created\":\"2021-04-19T21:00:18Z\"}}").eventTime)
                .isEqualTo(time("2021-04-19T21:00:18Z"));
    }

    /** A collector may shift @timestamp by hours: an unreadable UtcTime is refused, never replaced by it. */
    @Test
    void anUnreadableUtcTimeIsADeadLetterEvenBesideAGoodRecordTime() {
        SysmonRecord r = parse("{\"EventID\":22,\"UtcTime\":\"19/04/2021\",\"@timestamp\":\"2021-04-19T21:00:18.288Z\"}");
        assertThat(r.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(r.deadLetter.reason).isEqualTo("invalid UtcTime '19/04/2021'");
    }

    /** What pipelines rewrite UtcTime to: ISO with T, Z or an offset; it still wins over a shifted @timestamp. */
    @Test
    void utcTimeInAnyIso8601FormWinsOverTheRecordTime() {
        for (String utc : new String[] {"2021-04-19 21:00:18.288", "2021-04-19T21:00:18.288", "2021-04-19T21:00:18.288Z",
            "2021-04-19T23:00:18.288+02:00", "2021-04-19 21:00:18.288Z"}) {
            assertThat(event("{\"EventID\":22,\"UtcTime\":\"" + utc + "\",\"@timestamp\":\"2021-04-19T19:00:18.288Z\"}")
                    .eventTime).as(utc).isEqualTo(time("2021-04-19T21:00:18.288Z"));
        }
    }

    @Test
    void noOrUnreadableTimeIsADeadLetter() {
        SysmonRecord none = parse("{\"EventID\":1,\"Image\":\"x.exe\"}");
        assertThat(none.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(none.deadLetter.reason).isEqualTo("no event time");
        SysmonRecord bad = parse("{\"EventID\":1,\"UtcTime\":\"soon\",\"@timestamp\":\"later\"}");
        assertThat(bad.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(bad.deadLetter.reason).isEqualTo("invalid UtcTime 'soon'");
        SysmonRecord badRecordTime = parse("{\"EventID\":1,\"@timestamp\":\"later\"}");
        assertThat(badRecordTime.deadLetter.reason).isEqualTo("invalid event time: no UtcTime, record time 'later'");
    }

    /**
     * A UtcTime that is there but empty is as unreadable as "soon": a dead letter, never the record
     * time a collector may have shifted. Only Sysmon's own rendering of the event, its Message, gives
     * the time instead, as it gives any field a flat record leaves empty.
     */
    @Test
    void anEmptyUtcTimeIsADeadLetterUnlessTheMessageGivesIt() {
        for (String line : EMPTY_UTC_TIMES) {
            SysmonRecord r = parse(line);
            assertThat(r.kind).as(line).isEqualTo(Kind.DEAD_LETTER);
            assertThat(r.deadLetter.reason).as(line).isEqualTo("invalid UtcTime ''");
        }
        assertThat(parse(String.format(PIPE_XML, "<Data Name='UtcTime'>   </Data>")).deadLetter.reason)
                .isEqualTo("invalid UtcTime '   '");
        SysmonEvent filled = event("{\"EventID\":17,\"UtcTime\":\"\",\"@timestamp\":\"2024-03-12T09:00:00.350Z\","
                + "\"Message\":\"Pipe Created:\\r\\nUtcTime: 2024-03-12 09:00:00.000\\r\\nPipeName: \\\\p\"}");
        assertThat(filled.eventTime).as("the Message's UtcTime, not the record time").isEqualTo(time("2024-03-12T09:00:00Z"));
    }

    private static final String PIPE_XML = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>17</EventID>"
            + "<TimeCreated SystemTime='2024-03-12T09:00:00.3500000Z'/></System><EventData>%s</EventData></Event>";

    /** Pipe events whose UtcTime is given empty, each beside a good record time. */
    static final List<String> EMPTY_UTC_TIMES = List.of(
            String.format(PIPE_XML, "<Data Name='UtcTime'></Data>"),
            String.format(PIPE_XML, "<Data Name='UtcTime'/>"),
            "{\"EventID\":17,\"UtcTime\":\"\",\"@timestamp\":\"2024-03-12T09:00:00.350Z\"}",
            "{\"winlog\":{\"event_id\":17,\"event_data\":{\"UtcTime\":\"\"}},\"@timestamp\":\"2024-03-12T09:00:00.350Z\"}",
            "{\"EventID\":17,\"@timestamp\":\"2024-03-12T09:00:00.350Z\",\"Message\":\"Pipe Created:\\r\\nUtcTime: \\r\\n\"}");

    @Test
    void otherChannelsAreNotSysmonButMissingOnesAre() {
        String time = ",\"UtcTime\":\"2020-10-22 05:54:21.349\"";
        assertThat(parse("{\"EventID\":4688,\"Channel\":\"Security\",\"SourceName\":\"Microsoft-Windows-Security-Auditing\"}").kind)
                .isEqualTo(Kind.NOT_SYSMON);
        SysmonRecord ecsSecurity = parse("{\"winlog\":{\"channel\":\"Security\",\"event_id\":4688}}");
        assertThat(ecsSecurity.kind).isEqualTo(Kind.NOT_SYSMON);
        assertThat(ecsSecurity.format).isEqualTo(SourceFormat.ECS_JSON);
        assertThat(parse("{\"EventID\":22" + time + "}").kind).isEqualTo(Kind.EVENT);
        assertThat(parse("{\"EventID\":22,\"ProviderName\":\"microsoft-windows-sysmon\"" + time + "}").kind)
                .isEqualTo(Kind.EVENT);
        assertThat(parse("{\"EventID\":22,\"Channel\":\"Forwarded\",\"SourceName\":\"Microsoft-Windows-Sysmon\"" + time + "}").kind)
                .as("a forwarded Sysmon event").isEqualTo(Kind.EVENT);
    }

    @Test
    void eventIdMustBeAnInteger() {
        SysmonRecord text = parse("{\"EventID\":\"twenty-two\",\"UtcTime\":\"2020-10-22 05:54:21.349\"}");
        assertThat(text.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(text.deadLetter.reason).isEqualTo("event id is not an integer: 'twenty-two'");
        assertThat(parse("{\"EventID\":22.5,\"UtcTime\":\"2020-10-22 05:54:21.349\"}").deadLetter.reason)
                .isEqualTo("event id is not an integer: '22.5'");
        assertThat(event("{\"EventCode\":\"22\",\"UtcTime\":\"2020-10-22 05:54:21.349\"}").eventId).isEqualTo(22);
    }

    /** The quick checks read the id where it lies in the line's bytes: the same as from its text, in every case. */
    @ParameterizedTest
    @ValueSource(strings = {"17", " 22 ", "0017", "+17", "17.0", "17.5", "-1", "", " ", "٢٢", "123456789", "2147483647",
        "2147483648", "99999999999", "1 7", "x"})
    void readsAnEventIdFromBytesAsFromItsText(String text) {
        byte[] value = ("\"" + text + "\"").getBytes(StandardCharsets.UTF_8);
        assertThat(SysmonLineParser.eventId(value, 1, value.length - 1)).isEqualTo(SysmonLineParser.eventId(text));
    }

    private static final String PIPE_TIME = ",\"UtcTime\":\"2019-12-05 01:49:48.135\"";

    @Test
    void pipeEventTypeIsKeptOnlyWhenItIsSysmons() {
        assertThat(event("{\"EventID\":17,\"EventType\":\"createpipe\"" + PIPE_TIME + "}").eventType)
                .as("source spelling kept").isEqualTo("createpipe");
        assertThat(event("{\"EventID\":18,\"EventType\":\"INFO\"" + PIPE_TIME + "}").eventType).isEqualTo("ConnectPipe");
        assertThat(event("{\"EventID\":17" + PIPE_TIME + "}").eventType).isEqualTo("CreatePipe");
        assertThat(event("{\"EventID\":18,\"EventType\":\"\"" + PIPE_TIME + "}").eventType).isEqualTo("ConnectPipe");
        assertThat(event("{\"EventID\":13,\"EventType\":\"SetValue\"" + PIPE_TIME + "}").eventType).isEqualTo("SetValue");
        assertThat(event("{\"EventID\":1" + PIPE_TIME + "}").eventType).isNull();
    }

    @Test
    void messageFillsOnlyWhatIsMissing() {
        String message = ",\"Message\":\"Pipe Connected:\\r\\nRuleName: \\r\\nEventType: ConnectPipe\\r\\n"
                + "ProcessId: 3024\\r\\nPipeName: <Anonymous Pipe>\\r\\nImage: C:\\\\msg.exe\\r\\nUser: CORP\\\\alice\"";
        SysmonEvent filled = event("{\"EventID\":18,\"EventType\":\"INFO\",\"ProcessID\":3140" + PIPE_TIME + message + "}");
        assertThat(filled.eventType).isEqualTo("ConnectPipe");
        assertThat(filled.processId).as("nxlog's ProcessID is the Sysmon service").isEqualTo("3024");
        assertThat(filled.pipeName).as("Message is not HTML-escaped").isEqualTo("<Anonymous Pipe>");
        assertThat(filled.image).isEqualTo("C:\\msg.exe");
        assertThat(filled.user).isEqualTo("CORP\\alice");

        SysmonEvent kept = event("{\"EventID\":18,\"ProcessId\":\"7\",\"Image\":\"C:\\\\field.exe\",\"PipeName\":\"\\\\p\","
                + "\"User\":\"CORP\\\\bob\"" + PIPE_TIME + message + "}");
        assertThat(kept.processId).isEqualTo("7");
        assertThat(kept.image).isEqualTo("C:\\field.exe");
        assertThat(kept.pipeName).isEqualTo("\\p");
        assertThat(kept.user).isEqualTo("CORP\\bob");
        assertThat(kept.eventType).isEqualTo("ConnectPipe");
    }

    @Test
    void messageWithBareNewlinesAndWithoutTheRest() {
        SysmonEvent e = event("{\"EventID\":22,\"Message\":\"Dns query:\\nUtcTime: 2019-12-05 01:49:47.506\\n"
                + "QueryName: ipinfo.io\\nQueryStatus: 0\\nQueryResults: -\"}");
        assertThat(e.eventTime).isEqualTo(time("2019-12-05T01:49:47.506Z"));
        assertThat(e.queryName).isEqualTo("ipinfo.io");
        assertThat(e.queryResults).isEqualTo("-");
        assertThat(e.processId).isNull();
    }

    /** The Message is read only when needed, from where it lay: the first one that is not empty. */
    @Test
    void anEmptyMessageGivesWayToTheNextAndAMessageOfEscapesReadsAsWritten() {
        SysmonEvent e = event("{\"EventID\":22,\"Message\":\"\",\"Message\":\"UtcTime: 2019-12-05 01:49:47.506\\r\\n"
                + "QueryName: \\u0069pinfo.io\\r\\nImage: C:\\\\x\\\\wermgr.exe\"}");
        assertThat(e.eventTime).isEqualTo(time("2019-12-05T01:49:47.506Z"));
        assertThat(e.queryName).isEqualTo("ipinfo.io");
        assertThat(e.image).isEqualTo("C:\\x\\wermgr.exe");
    }

    @Test
    void messageIsNotReadInEcs() {
        SysmonEvent e = event("{\"winlog\":{\"event_id\":\"18\"},\"@timestamp\":\"2024-03-12T09:40:58.116Z\","
                + "\"Message\":\"ProcessId: 3024\\r\\nPipeName: \\\\x\"}");
        assertThat(e.format).isEqualTo(SourceFormat.ECS_JSON);
        assertThat(e.processId).isNull();
        assertThat(e.pipeName).isNull();
    }

    @Test
    void flatJsonValuesAreHtmlDecoded() {
        SysmonEvent e = event("{\"EventID\":17,\"PipeName\":\"&lt;Anonymous Pipe&gt;\","
                + "\"Image\":\"C:\\\\A&B\\\\&#60;x&#x3E;&quot;&apos;&amp;lt;&bogus;&#xD800;&#;&\"" + PIPE_TIME + "}");
        assertThat(e.pipeName).isEqualTo("<Anonymous Pipe>");
        assertThat(e.image).isEqualTo("C:\\A&B\\<x>\"'&lt;&bogus;&#xD800;&#;&");
    }

    @Test
    void ecsValuesAreNotHtmlDecoded() {
        SysmonEvent e = event("{\"winlog\":{\"event_id\":17},\"file\":{\"name\":\"&lt;x&gt;\"}" + PIPE_TIME + "}");
        assertThat(e.pipeName).isEqualTo("&lt;x&gt;");
    }

    @Test
    void ecsFileNameIsAPipeNameOnlyInPipeEvents() {
        String rest = ",\"file\":{\"name\":\"report.docx\"},\"@timestamp\":\"2024-03-12T09:40:58.116Z\"}";
        assertThat(event("{\"winlog\":{\"event_id\":11}" + rest).pipeName).isNull();
        assertThat(event("{\"winlog\":{\"event_id\":18}" + rest).pipeName).isEqualTo("report.docx");
    }

    @Test
    void hostIsTheLoggingMachineNeverTheCollector() {
        assertThat(event("{\"EventID\":1,\"host\":\"wec.internal\"" + PIPE_TIME + "}").host).isNull();
        assertThat(event("{\"EventID\":1,\"host\":\"wec.internal\",\"Hostname\":\"WS5\"" + PIPE_TIME + "}").host).isEqualTo("WS5");
        assertThat(event("{\"Hostname\":\"WS5\",\"EventID\":1,\"Computer\":\"ws5.corp\"" + PIPE_TIME + "}").host)
                .as("Computer ranks before Hostname, whatever the key order").isEqualTo("ws5.corp");
        assertThat(event("{\"EventID\":1,\"host\":{\"name\":\"ws5\"}" + PIPE_TIME + "}").host).isEqualTo("ws5");
    }

    @Test
    void userFallsBackThroughEcsNxlogAndSid() {
        assertThat(event("{\"EventID\":1,\"User\":\"CORP\\\\alice\",\"UserID\":\"S-1-5-18\"" + PIPE_TIME + "}").user)
                .isEqualTo("CORP\\alice");
        assertThat(event("{\"EventID\":1,\"user\":{\"domain\":\"CORP\",\"name\":\"alice\"}" + PIPE_TIME + "}").user)
                .isEqualTo("CORP\\alice");
        assertThat(event("{\"EventID\":1,\"user\":{\"name\":\"alice\"}" + PIPE_TIME + "}").user).isEqualTo("alice");
        assertThat(event("{\"EventID\":1,\"Domain\":\"NT AUTHORITY\",\"AccountName\":\"SYSTEM\"" + PIPE_TIME + "}").user)
                .isEqualTo("NT AUTHORITY\\SYSTEM");
        assertThat(event("{\"EventID\":1,\"AccountName\":\"SYSTEM\",\"UserID\":\"S-1-5-18\"" + PIPE_TIME + "}").user)
                .isEqualTo("S-1-5-18");
        assertThat(event("{\"EventID\":1,\"winlog\":{\"user\":{\"identifier\":\"S-1-5-18\"}}" + PIPE_TIME + "}").user)
                .isEqualTo("S-1-5-18");
        assertThat(event("{\"EventID\":18,\"AccountName\":\"SYSTEM\",\"Domain\":\"NT AUTHORITY\",\"UserID\":\"S-1-5-18\","
                + "\"Message\":\"Pipe Connected:\\r\\nUser: CORP\\\\alice\"" + PIPE_TIME + "}").user)
                .as("the process owner in Message wins over the record's account")
                .isEqualTo("CORP\\alice");
    }

    @Test
    void emptyValuesAreAbsentAndTheDashIsKept() {
        SysmonEvent e = event("{\"EventID\":22,\"Image\":\"\",\"QueryName\":\"\",\"QueryResults\":\"-\","
                + "\"winlog.event_data.QueryName\":\"ident.me\"" + PIPE_TIME + "}");
        assertThat(e.image).isNull();
        assertThat(e.queryName).as("an empty candidate does not hide the next").isEqualTo("ident.me");
        assertThat(e.queryResults).isEqualTo("-");
    }

    @Test
    void nullsAndArraysAreIgnored() {
        SysmonEvent e = event("{\"EventID\":22,\"Image\":null,\"QueryName\":[\"a\"],\"tags\":[{\"EventID\":1}]" + PIPE_TIME + "}");
        assertThat(e.eventId).isEqualTo(22);
        assertThat(e.image).isNull();
        assertThat(e.queryName).isNull();
    }

    @Test
    void byteOrderMarkCarriageReturnAndSurroundingBlanksAreIgnored() {
        String line = "{\"EventID\":22" + PIPE_TIME + "}";
        SysmonEvent plain = event(line);
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = (" \t" + line + "  \r").getBytes(StandardCharsets.UTF_8);
        byte[] decorated = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, decorated, 0, bom.length);
        System.arraycopy(body, 0, decorated, bom.length, body.length);
        assertThat(TestLines.parse(decorated).event).usingRecursiveComparison().isEqualTo(plain);
    }

    @Test
    void readsTheLineWithinALargerBuffer() {
        byte[] buffer = ("garbage{\"EventID\":22" + PIPE_TIME + "}garbage").getBytes(StandardCharsets.UTF_8);
        SysmonRecord record = new SysmonLineParser().parse(buffer, 7, buffer.length - 14, Origin.kafka("sysmon", 3, 42));
        assertThat(record.kind).isEqualTo(Kind.EVENT);
        assertThat(record.event.origin).isEqualTo(Origin.kafka("sysmon", 3, 42));
    }

    @Test
    void oneParserReadsLineAfterLineWithoutCarryOver() {
        SysmonLineParser parser = new SysmonLineParser();
        byte[] full = ("{\"EventID\":22,\"QueryName\":\"ipinfo.io\",\"Image\":\"a.exe\"" + PIPE_TIME + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] bare = ("{\"EventID\":22" + PIPE_TIME + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(full, 0, full.length, Origin.fileLine("f", 1)).event.queryName).isEqualTo("ipinfo.io");
        SysmonEvent second = parser.parse(bare, 0, bare.length, Origin.fileLine("f", 2)).event;
        assertThat(second.queryName).isNull();
        assertThat(second.image).isNull();
    }

    @Test
    void xmlWithDeclarationPrefixAndEscapes() {
        SysmonEvent e = event("<?xml version='1.0' encoding='UTF-8'?><e:Event xmlns:e='http://schemas.microsoft.com/win/2004/08/events/event'>"
                + "<e:System><e:Provider Name='Microsoft-Windows-Sysmon'/><e:EventID>17</e:EventID>"
                + "<e:TimeCreated SystemTime='2021-04-19T21:00:18.288457000Z'/><e:Computer>ws1</e:Computer></e:System>"
                + "<e:EventData><e:Data Name='PipeName'>&lt;Anonymous Pipe&gt;</e:Data><e:Data Name='RuleName'/>"
                + "<e:Data Name='Image'><![CDATA[C:\\a&b.exe]]></e:Data></e:EventData></e:Event>");
        assertThat(e.format).isEqualTo(SourceFormat.XML);
        assertThat(e.eventId).isEqualTo(17);
        assertThat(e.eventType).isEqualTo("CreatePipe");
        assertThat(e.pipeName).isEqualTo("<Anonymous Pipe>");
        assertThat(e.image).isEqualTo("C:\\a&b.exe");
        assertThat(e.host).isEqualTo("ws1");
        assertThat(e.eventTime).as("TimeCreated when there is no UtcTime").isEqualTo(time("2021-04-19T21:00:18.288Z"));
    }

    @Test
    void xmlOfAnotherChannelIsNotSysmon() {
        SysmonRecord record = parse("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                + "<Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4688</EventID>"
                + "<Channel>Security</Channel></System></Event>");
        assertThat(record.kind).isEqualTo(Kind.NOT_SYSMON);
        assertThat(record.format).isEqualTo(SourceFormat.XML);
    }

    @Test
    void xmlWithoutEventId() {
        SysmonRecord record = parse("<Event><System><Computer>ws1</Computer></System></Event>");
        assertThat(record.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(record.format).isEqualTo(SourceFormat.XML);
        assertThat(record.deadLetter.reason).isEqualTo("XML is not a Sysmon event: no event id");
    }
}
