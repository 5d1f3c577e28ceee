package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lines that are not events, broken or hostile: each becomes a dead letter with a reason, never an
 * exception. The timeout only guards against a hang (say, entity expansion); it measures nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SysmonLineParserMalformedTest {

    private static final String LSASS = "real-lines/otrf_dialect_c_lsass_campaign_05.jsonl";
    private static final String SPLUNK_XML = "real-lines/splunk_sysmon_eventid_17_18_22.xml";

    private final SysmonLineParser parser = new SysmonLineParser();

    private DeadLetter deadLetter(byte[] line) {
        Origin origin = Origin.fileLine("hostile.log", 7);
        SysmonRecord record = parser.parse(line, 0, line.length, origin);
        assertThat(record.kind).as("%s", record).isEqualTo(Kind.DEAD_LETTER);
        DeadLetter d = record.deadLetter;
        assertThat(d.origin).isEqualTo(origin);
        assertThat(d.length).isEqualTo(line.length);
        assertThat(d.raw).isEqualTo(Arrays.copyOf(line, Math.min(line.length, DeadLetter.MAX_KEPT_BYTES)));
        assertThat(d.reason).isNotBlank().hasSizeLessThan(300);
        return d;
    }

    private DeadLetter deadLetter(String line) {
        return deadLetter(line.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                for (int b : (int[]) part) {
                    out.write(b);
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void truncatedJson() {
        byte[] line = TestLines.line(LSASS, 1);
        assertThat(deadLetter(Arrays.copyOf(line, line.length / 2)).reason).startsWith("invalid JSON: Unexpected end-of-input");
    }

    @Test
    void aParserThatRefusedBadXmlReadsTheNextLineAsAFreshOneWould() {
        byte[] good = TestLines.line(SPLUNK_XML, 3);
        String expected = new SysmonLineParser().parse(good, 0, good.length, Origin.fileLine("x", 2)).event.toString();
        for (String bad : List.of("<Event><System><EventID>17", "<?xml version='1.0'?><!DOCTYPE Event [<!ENTITY e 'x'>]><Event/>",
                "<Event>&e;</Event>", "<Events><Event/></Events>", "<Event/><Event/>")) {
            deadLetter(bad);
            assertThat(parser.parse(good, 0, good.length, Origin.fileLine("x", 2)).event).as("after %s", bad)
                    .hasToString(expected);
        }
    }

    @Test
    void truncatedXml() {
        byte[] line = TestLines.line(SPLUNK_XML, 3);
        SysmonRecord record = parser.parse(line, 0, line.length / 2, Origin.fileLine("x", 1));
        assertThat(record.kind).isEqualTo(Kind.DEAD_LETTER);
        assertThat(record.format).isEqualTo(SourceFormat.XML);
        assertThat(record.deadLetter.reason)
                .isEqualTo("invalid XML: The element type \"Channel\" must be terminated by the matching end-tag \"</Channel>\".");
        assertThat(deadLetter("<Event><System>").reason)
                .isEqualTo("invalid XML: XML document structures must start and end within the same entity.");
    }

    /** Blank lines (between exports, at a file's end) are counted, not refused. */
    @Test
    void emptyAndBlankLinesAreBlankNotDeadLetters() {
        for (byte[] line : List.of(new byte[0], " \t \r".getBytes(StandardCharsets.UTF_8), bytes(new int[] {0xEF, 0xBB, 0xBF}, "  "))) {
            assertThat(parser.parse(line, 0, line.length, Origin.fileLine("x", 1)).kind).isEqualTo(Kind.BLANK);
        }
    }

    @Test
    void binaryBytes() {
        byte[] png = bytes(new int[] {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D});
        assertThat(deadLetter(png).reason).isEqualTo("not JSON or XML (starts with byte 0x89)");
        assertThat(deadLetter("2021-03-24 12:25:12 wermgr.exe said hello").reason)
                .isEqualTo("not JSON or XML (starts with byte 0x32)");
    }

    @Test
    void invalidUtf8() {
        String head = "{\"EventID\":22,\"Image\":\"C:";
        int at = head.length();
        assertThat(deadLetter(bytes(head, new int[] {0xFF}, ".exe\"}")).reason).isEqualTo("invalid UTF-8 at byte " + at);
        assertThat(deadLetter(bytes(head, new int[] {0xC0, 0xAF}, "\"}")).reason).as("overlong /")
                .isEqualTo("invalid UTF-8 at byte " + at);
        assertThat(deadLetter(bytes(head, new int[] {0xED, 0xA0, 0x80}, "\"}")).reason).as("surrogate")
                .isEqualTo("invalid UTF-8 at byte " + at);
        assertThat(deadLetter(bytes(head, new int[] {0xF4, 0x90, 0x80, 0x80}, "\"}")).reason).as("past U+10FFFF")
                .isEqualTo("invalid UTF-8 at byte " + at);
        assertThat(deadLetter(bytes(head, new int[] {0xE2, 0x82})).reason).as("cut short")
                .isEqualTo("invalid UTF-8 at byte " + at);
        assertThat(deadLetter(bytes("<Event>", new int[] {0x80}, "</Event>")).reason).isEqualTo("invalid UTF-8 at byte 7");
    }

    @Test
    void validUtf8IsNotRefused() {
        String line = "{\"EventID\":1,\"Image\":\"C:\\\\Ünïcødé\\\\日本\\\\😀.exe\",\"UtcTime\":\"2023-09-06 04:52:03.565\"}";
        SysmonRecord record = TestLines.parse(line);
        assertThat(record.kind).isEqualTo(Kind.EVENT);
        assertThat(record.event.image).isEqualTo("C:\\Ünïcødé\\日本\\😀.exe");
    }

    @Test
    void nulBytes() {
        assertThat(deadLetter(bytes("{\"EventID\":22,", new int[] {0}, "\"x\":1}")).reason).isEqualTo("control byte 0x00 at byte 14");
        assertThat(deadLetter(bytes(new int[] {0, 0, 0, 0})).reason).isEqualTo("not JSON or XML (starts with byte 0x00)");
        byte[] utf16 = "{\"EventID\":22,\"UtcTime\":\"2023-09-06 04:52:03.565\"}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(deadLetter(utf16).reason).as("never read as UTF-16").isEqualTo("control byte 0x00 at byte 1");
    }

    @Test
    void jsonThatIsNoObject() {
        DeadLetter array = deadLetter("[{\"EventID\":22}]");
        assertThat(array.reason).isEqualTo("JSON is not an object");
        assertThat(deadLetter("42").reason).isEqualTo("JSON is not an object");
        assertThat(deadLetter("-1.5e3").reason).isEqualTo("JSON is not an object");
        assertThat(deadLetter("\"EventID\"").reason).isEqualTo("JSON is not an object");
        assertThat(deadLetter("true").reason).isEqualTo("JSON is not an object");
        assertThat(TestLines.parse("[1]").format).isEqualTo(SourceFormat.UNKNOWN);
    }

    @Test
    void jsonObjectWithoutEventId() {
        assertThat(deadLetter("{}").reason).isEqualTo("JSON is not a Sysmon event: no event id");
        SysmonRecord record = TestLines.parse("{\"Image\":\"C:\\\\Windows\\\\System32\\\\wermgr.exe\",\"UtcTime\":\"2023-09-06 04:52:03.565\"}");
        assertThat(record.deadLetter.reason).isEqualTo("JSON is not a Sysmon event: no event id");
        assertThat(record.format).isEqualTo(SourceFormat.FLAT_JSON);
    }

    @Test
    void moreThanOneJsonValue() {
        assertThat(deadLetter("{\"EventID\":1}{\"EventID\":2}").reason).isEqualTo("JSON has more than one value on the line");
        assertThat(deadLetter("{\"EventID\":1} trailing").reason).startsWith("invalid JSON: Unrecognized token 'trailing'");
    }

    @Test
    void xmlExternalEntityIsRefusedUnread() {
        DeadLetter d = deadLetter("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Event><System><EventID>&e;</EventID></System></Event>");
        assertThat(d.reason).isEqualTo("XML with DOCTYPE refused");
    }

    @Test
    void xmlNeverFetchesAnything() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            String url = "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort() + "/";
            List<String> lines = List.of(
                    "<!DOCTYPE Event SYSTEM \"" + url + "event.dtd\"><Event/>",
                    "<?xml version='1.0'?><!DOCTYPE Event PUBLIC '-//x//EN' '" + url + "public.dtd'><Event/>",
                    "<!DOCTYPE Event [<!ENTITY e SYSTEM \"" + url + "entity\">]><Event>&e;</Event>",
                    "<!DOCTYPE Event [<!ENTITY % p SYSTEM \"" + url + "parameter\"> %p;]><Event/>");
            for (String line : lines) {
                assertThat(deadLetter(line).reason).as(line).isEqualTo("XML with DOCTYPE refused");
            }
            server.setSoTimeout(500);
            assertThatThrownBy(server::accept).as("nobody connected").isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void billionLaughs() {
        StringBuilder line = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE Event [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            line.append("<!ENTITY lol").append(i).append(" \"");
            line.append(("&lol" + (i - 1) + ";").repeat(10));
            line.append("\">");
        }
        line.append("]><Event><System><EventID>&lol9;</EventID></System></Event>");
        assertThat(deadLetter(line.toString()).reason).isEqualTo("XML with DOCTYPE refused");
    }

    @Test
    void xmlEntityWithoutDeclaration() {
        assertThat(deadLetter("<Event><System><EventID>&e;</EventID></System></Event>").reason)
                .isEqualTo("invalid XML: undeclared entity &e;");
    }

    @Test
    void xmlThatIsNoEvent() {
        assertThat(deadLetter("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").reason).isEqualTo("XML that is not an <Event>: no element");
        String event = new String(TestLines.line(SPLUNK_XML, 3), StandardCharsets.UTF_8);
        assertThat(deadLetter("<Events>" + event + "</Events>").reason).isEqualTo("XML that is not an <Event>: root <Events>");
        assertThat(deadLetter("<Event><System><EventID>1<b/></EventID></System></Event>").reason)
                .isEqualTo("XML with element <b> inside <EventID>");
        assertThat(deadLetter(event + "<Event/>").reason).startsWith("invalid XML: ");
    }

    @Test
    void deeplyNestedJson() {
        String brackets = "[".repeat(100_000);
        assertThat(deadLetter(brackets).reason).isEqualTo("JSON is not an object");
        assertThat(deadLetter("{\"EventID\":22,\"tags\":" + brackets).reason)
                .startsWith("invalid JSON: ").contains("nesting depth");
        assertThat(deadLetter("{\"winlog\":{\"event_data\":{\"x\":" + brackets).reason)
                .startsWith("invalid JSON: ").contains("nesting depth");
        assertThat(deadLetter("{\"a\":".repeat(100_000)).reason).startsWith("invalid JSON: ").contains("nesting depth");
    }

    @Test
    void deeplyNestedXml() {
        String line = "<Event>" + "<x>".repeat(100_000) + "</x>".repeat(100_000) + "</Event>";
        assertThat(deadLetter(line).reason).isEqualTo("XML is not a Sysmon event: no event id");
    }

    @Test
    void tenMegabyteLine() {
        String line = "{\"EventID\":22,\"UtcTime\":\"2023-09-06 04:52:03.565\",\"Message\":\"" + "A".repeat(10 << 20) + "\"}";
        DeadLetter d = deadLetter(line);
        assertThat(d.reason).isEqualTo("line of " + line.length() + " bytes is over the limit of 1048576 bytes");
        assertThat(d.truncated()).isTrue();
    }

    @Test
    void mutatedRealLinesNeverThrow() {
        List<byte[]> seeds = new ArrayList<>();
        for (String resource : List.of(LSASS, SPLUNK_XML, "real-lines/otrf_dialect_a_covenant_psremoting.jsonl",
                "real-lines/ecs_winlogbeat8_sysmon_handwritten.jsonl")) {
            seeds.addAll(TestLines.of(resource));
        }
        String syntax = "{}[]<>\"':&;,\\ 0";
        Random random = new Random(20210324);
        for (int i = 0; i < 5_000; i++) {
            byte[] line = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                line[random.nextInt(line.length)] = (byte) (random.nextBoolean() ? random.nextInt(256)
                        : syntax.charAt(random.nextInt(syntax.length())));
            }
            int len = random.nextInt(4) == 0 ? random.nextInt(line.length + 1) : line.length;
            SysmonRecord record = parser.parse(line, 0, len, Origin.fileLine("fuzz", i));
            assertThat(record.kind).isNotNull();
            if (record.kind == Kind.DEAD_LETTER) {
                assertThat(record.deadLetter.reason).isNotBlank().doesNotStartWith("parser failure");
            }
        }
    }
}
