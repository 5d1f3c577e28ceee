package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonRecord;
import dev.sysmoncep.records.SysmonRecord.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hand-made adversarial lines for the stop-mark quick checks ({@link SysmonLineParser#classify})
 * against the full parser, as {@link QuickCheckEqualityTest} compares them: wherever the check
 * settles a line, it says what {@link SysmonLineParser#parse} says (kind, format, event time). The
 * lines put what the stop marks could get wrong (escapes, quotes, controls, non-ASCII, U+FFFE/U+FFFF,
 * {@code ]]>}) at every position around the 64-byte blocks of the marks and at the last bytes of a
 * line; they try event ids and UtcTimes the byte readers must read as the String ones do; and each
 * line is classified again inside a larger buffer, at an offset, among stop bytes.
 */
class QuickCheckAdversarialTest {
    private final SysmonLineParser quick = new SysmonLineParser();
    private final SysmonLineParser full = new SysmonLineParser();
    private final List<String> disagreements = new ArrayList<>();
    private final Random random = new Random(2024);
    private int lines;
    private int settled;

    private static final String TIME = "2024-03-12 09:00:00.000";
    private static final String CHANNEL = "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"";
    private static final String XML_HEAD = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            + "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>"
            + "<TimeCreated SystemTime='2024-03-12T09:00:00.3500000Z'/>"
            + "<Channel>Microsoft-Windows-Sysmon/Operational</Channel></System><EventData>";
    private static final String XML_UTC = "<Data Name='UtcTime'>" + TIME + "</Data>";
    private static final String XML_TAIL = "</EventData></Event>";
    /** Bytes put around a line inside a larger buffer: stops of both kinds, and the lead byte of U+FFFE. */
    private static final byte[] JUNK = {'"', '\\', '<', ']', '&', '\'', 0, '\t', (byte) 0xEF, (byte) 0xBF, (byte) 0xBE, '{', '}'};

    /** JSON string contents (as JSON text) that the string crossing could get wrong. */
    private static final List<String> JSON_CONTENTS = List.of(
            "\\\"", "\\\\", "\\\\\\\"", "\\\\\\\\",
            "\\", "\\\\\\", "\\\\\\\\\\", // 1, 3, 5 backslashes: the template's closing quote is escaped
            "\\\\\\\\x", "\\\\\\x",
            "\\u00e9", "\\uABCD", "\\uD83D\\uDE00", "\\r\\n", "\\r\\n\\t\\\\\\/\\b\\f", "\\/",
            "\\u12G4", "\\u12", "\\u", "\\x", "\\'", "\\U0041", "\\u00e", "\\ug000",
            "\\n\t", "\\n\r", "\\n\n", "\\\\\t", "\\u0041\t", "\t", "\r", "\n", "\u0001",
            "é", "😀", "\uFFFE", "\uFFFF", "\u007F", "\u0085", "\u2028", "ÿ\\\"");

    /** XML text (and attribute value) contents that the text crossing could get wrong. */
    private static final List<String> XML_CONTENTS = List.of(
            "é", "😀", "\u00FF", "\uFFFD", "\uFFFE", "\uFFFF", "é\uFFFE", "\uFFFEx", "a\uFFFF]]>",
            "]]>", "]]", "]>", "]", "]]]>", "] ]>", "]]&gt;",
            "&amp;", "&lt;&gt;&quot;&apos;", "&#65;", "&#x41;", "&bogus;", "&amp", "&",
            "'", "\"", "'\"", ">", "\t", "\r", "\n", "\r\n", "<", "<!-- c -->", "<![CDATA[x]]>", "<x/>");

    private record Outcome(boolean settled, SysmonRecord parsed) {}

    /** Classify and parse the line at offset 0 and inside larger buffers; every disagreement is noted. */
    private Outcome check(String what, byte[] line) {
        lines++;
        Outcome at0 = compare(what, line, 0, line.length, line);
        if (at0.settled) {
            settled++;
        }
        for (int off : new int[] {1, 7, 63, 64, 65, 1 + random.nextInt(70)}) {
            byte[] buf = new byte[off + line.length + 40];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = random.nextBoolean() ? JUNK[random.nextInt(JUNK.length)] : (byte) random.nextInt(256);
            }
            System.arraycopy(line, 0, buf, off, line.length);
            Outcome embedded = compare(what + " at offset " + off, buf, off, line.length, line);
            if (embedded.settled != at0.settled) {
                disagreements.add(what + " at offset " + off + ": classify " + embedded.settled + " there, " + at0.settled
                        + " at offset 0: " + SysmonLineParserPropertyTest.abbreviated(line));
            }
        }
        return at0;
    }

    private Outcome compare(String what, byte[] buf, int off, int len, byte[] line) {
        SysmonRecord r = full.parse(buf, off, len, Origin.fileLine(what, 1));
        if (!quick.classify(buf, off, len)) {
            return new Outcome(false, r);
        }
        String mismatch = null;
        if (quick.classifiedKind() != r.kind) {
            mismatch = "kind " + quick.classifiedKind() + " vs parse " + r.kind
                    + (r.kind == Kind.DEAD_LETTER ? " (" + r.deadLetter.reason + ")" : "");
        } else if (r.kind != Kind.BLANK && quick.classifiedFormat() != r.format) {
            mismatch = "format " + quick.classifiedFormat() + " vs parse " + r.format;
        } else if (r.kind == Kind.EVENT && quick.classifiedTime() != r.event.eventTime) {
            mismatch = "time " + quick.classifiedTime() + " vs parse " + r.event.eventTime;
        }
        if (mismatch != null) {
            disagreements.add(what + ": " + mismatch + ": " + SysmonLineParserPropertyTest.abbreviated(line));
        }
        return new Outcome(true, r);
    }

    private Outcome check(String what, String line) {
        return check(what, line.getBytes(StandardCharsets.UTF_8));
    }

    private void assertNoDisagreement() {
        System.out.printf("%d lines, %d settled by the quick check, %d disagreements (Vector API: %s)%n", lines, settled,
                disagreements.size(), dev.sysmoncep.scan.VectorSupport.AVAILABLE);
        assertThat(disagreements.subList(0, Math.min(20, disagreements.size())))
                .as("classify against parse (up to 20 of %d shown)", disagreements.size()).isEmpty();
    }

    private static String pad(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    @Test
    void theBaseLinesAreSettledAsEvents() {
        String json = "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + TIME + "\",\"Pad\":\"x\"}";
        String xml = XML_HEAD + XML_UTC + "<Data Name='Image'>x</Data>" + XML_TAIL;
        for (String line : List.of(json, xml)) {
            Outcome o = check("base", line);
            assertThat(o.parsed.kind).as(line).isEqualTo(Kind.EVENT);
            assertThat(o.settled).as("the quick check settles " + line).isTrue();
        }
        assertNoDisagreement();
    }

    /** Every content at every position 0..140 of the line: before, at and after the 64- and 128-byte block edges. */
    @Test
    void jsonStringsWithEscapesAndStopsAtEveryBlockPosition() {
        // A long line first: the marks' array grows, and the short lines after must not see its stale marks.
        check("long", "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + TIME + "\",\"Pad\":\""
                + ("\\\\\\\"\"" + pad(61)).repeat(90).replace("\"\"", "\\\"") + "\"}");
        String tailHead = "{\"EventID\":1,\"UtcTime\":\"" + TIME + "\",\"P\":\"";
        int goodSettled = 0;
        for (String content : JSON_CONTENTS) {
            for (int n = 0; n <= 140; n++) {
                String p = pad(n);
                // first: the string's bytes from byte 8 on
                check("json first", "{\"Pad\":\"" + p + content + "\"," + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + TIME + "\"}");
                // last member: the closing quote at len-2 (lines of 56..200 bytes, 63, 64, 65, 127, 128, 129 among them)
                Outcome last = check("json last", tailHead + p + content + "\"}");
                if (content.equals("\\\"") || content.equals("\\\\") || content.equals("\\uABCD")) {
                    goodSettled += last.settled ? 1 : 0;
                    assertThat(last.parsed.kind).as(tailHead + p + content).isEqualTo(Kind.EVENT);
                }
                // the line ends inside the string: an escape or part of one is the last byte
                Outcome cut = check("json cut", tailHead + p + content);
                assertThat(cut.settled).as("an unterminated string is never settled: " + tailHead + p + content).isFalse();
                // with a blank or BOM before it, the marks start past them
                check("json bom", "\uFEFF \t" + tailHead + p + content + "\"}");
                // in the UtcTime itself, and in a key
                check("json utc", "{\"EventID\":1,\"UtcTime\":\"" + TIME + p.substring(0, Math.min(n, 3)) + content + "\"}");
                check("json key", "{\"" + p + content + "\":1,\"EventID\":1,\"UtcTime\":\"" + TIME + "\"}");
            }
        }
        assertThat(goodSettled).as("good escapes before a closing quote are settled").isEqualTo(3 * 141);
        assertNoDisagreement();
    }

    @Test
    void xmlTextAndAttributeValuesWithStopsAtEveryBlockPosition() {
        check("long", XML_HEAD + XML_UTC + "<Data Name='Image'>" + ("é\uFFFD]]" + pad(60) + "'\"&amp;").repeat(80)
                + "</Data>" + XML_TAIL);
        String shortHead = "<Event><System><Channel>S</Channel></System><a>";
        int goodSettled = 0;
        for (String content : XML_CONTENTS) {
            for (int n = 0; n <= 140; n++) {
                String p = pad(n);
                // text and values from the line's first bytes on
                check("xml text first", "<Event><P>" + p + content + "</P><System>" + XML_HEAD.substring(XML_HEAD.indexOf("<Provider")) + XML_UTC + XML_TAIL);
                check("xml attr first ''", "<Event a='" + p + content + "'" + XML_HEAD.substring(6) + XML_UTC + XML_TAIL);
                check("xml attr first \"\"", "<Event a=\"" + p + content + "\"" + XML_HEAD.substring(6) + XML_UTC + XML_TAIL);
                // the last text of the line
                Outcome last = check("xml text last", XML_HEAD + XML_UTC + "<Data Name='Image'>" + p + content + "</Data>" + XML_TAIL);
                if (content.equals("é") || content.equals("]]") || content.equals("&amp;") || content.equals("'\"")) {
                    goodSettled += last.settled ? 1 : 0;
                    assertThat(last.parsed.kind).as(p + content).isEqualTo(Kind.EVENT);
                }
                check("xml attr value", XML_HEAD + XML_UTC + "<Data Name='Image' x=\"" + p + content + "\">v</Data>" + XML_TAIL);
                check("xml attr value ''", XML_HEAD + XML_UTC + "<Data Name='Image' x='" + p + content + "'>v</Data>" + XML_TAIL);
                // short lines of another channel: 57..200 bytes, the text's end at every block position
                check("xml short", shortHead + p + content + "</a></Event>");
                check("xml short attr", "<Event><System><Channel>S</Channel></System><a b='" + p + content + "'/></Event>");
                check("xml cut", shortHead + p + content);
                check("xml bom", "\uFEFF  " + shortHead + p + content + "</a></Event>");
                // in the UtcTime, the EventID and the Channel
                check("xml utc", XML_HEAD + "<Data Name='UtcTime'>" + TIME + p.substring(0, Math.min(n, 2)) + content + "</Data>" + XML_TAIL);
                check("xml id", XML_HEAD.replace("<EventID>1<", "<EventID>1" + content + "<") + XML_UTC + XML_TAIL);
            }
        }
        assertThat(goodSettled).as("plain XML text before a closing tag is settled").isEqualTo(4 * 141);
        assertNoDisagreement();
    }

    @Test
    void xmlNamesWithDigitsDotsDashesAndColons() {
        String body = XML_HEAD.substring(XML_HEAD.indexOf("<System>")) + XML_UTC + XML_TAIL;
        for (String name : List.of("Data1", "a.b", "a-b", "_x", "x_1.2-3", "Event2", "Systems", "EventDatas", "x:Data",
                "Data:", "1a", ".a", "-a", "é", "a\u00b7b")) {
            check("element " + name, "<Event>" + body.replace("<EventData>", "<EventData><" + name + ">v</" + name + ">"));
            check("element in System " + name, "<Event>" + body.replace("</System>", "<" + name + "/></System>"));
            check("root " + name, "<" + name + ">" + body.replace("</Event>", "</" + name + ">"));
        }
        for (String attr : List.of("Na-me", "Name1", "x:Name", "xml:lang", "xmlns:x", "_a.b-1", "N.ame", "1a", "-a", ":a", "a:")) {
            check("attribute " + attr, XML_HEAD + XML_UTC + "<Data Name='Image' " + attr + "='v'>v</Data>" + XML_TAIL);
            check("attribute for Name " + attr, XML_HEAD + XML_UTC.replace("Name=", attr + "=") + XML_TAIL);
        }
        check("Data name with the other quote", XML_HEAD + "<Data Name=\"Utc'Time\">" + TIME + "</Data>" + XML_TAIL);
        check("Data name with a quote", XML_HEAD + "<Data Name='Utc\"Time'>" + TIME + "</Data>" + XML_TAIL);
        check("Provider name with the other quote", XML_HEAD.replace("Name='Microsoft-Windows-Sysmon'", "Name=\"Micro'soft\"")
                .replace("Microsoft-Windows-Sysmon/Operational", "Security") + XML_UTC + XML_TAIL);
        check("Data name as entity", XML_HEAD + "<Data Name='Utc&#84;ime'>" + TIME + "</Data>" + XML_TAIL);
        check("Data name in double quotes", XML_HEAD + "<Data Name=\"UtcTime\">" + TIME + "</Data>" + XML_TAIL);
        assertNoDisagreement();
    }

    private static final List<String> EVENT_IDS = List.of(" 17 ", "17", "017", "0000000017", "00000000017", "17.0", "17.00",
            "17.", ".0", "+17", "-17", "-0", "+0", "999999999", "2147483647", "2147483648", "1234567890123", "17.5", "1.7e1",
            "", " ", "17 x", "0x11", "17\u00a0", "\u00a017", "１７", "١٧", "۱۷", "१७", "1\u0667", "17\u2003", "1 7", "1_7");

    @Test
    void eventIdsInJsonStringsJsonNumbersAndXmlText() {
        for (String id : EVENT_IDS) {
            String jsonString = "{" + CHANNEL + ",\"EventID\":\"" + id + "\",\"UtcTime\":\"" + TIME + "\"}";
            String ecs = "{\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":\"" + id
                    + "\",\"event_data\":{\"UtcTime\":\"" + TIME + "\"}},\"@timestamp\":\"2024-03-12T09:00:00.350Z\"}";
            String xml = XML_HEAD.replace("<EventID>1<", "<EventID>" + id + "<") + XML_UTC + XML_TAIL;
            String xmlBlanks = XML_HEAD.replace("<EventID>1<", "<EventID>\t\r\n" + id + "\r\n\t<") + XML_UTC + XML_TAIL;
            for (String line : List.of(jsonString, ecs, xml, xmlBlanks)) {
                Outcome o = check("event id '" + id + "'", line);
                int expected = SysmonLineParser.eventId(id);
                if (expected >= 0) {
                    assertThat(o.parsed.kind).as(line).isEqualTo(Kind.EVENT);
                    assertThat(o.parsed.event.eventId).as(line).isEqualTo(expected);
                }
            }
            byte[] bytes = ("xx" + id + "yy").getBytes(StandardCharsets.UTF_8);
            assertThat(SysmonLineParser.eventId(bytes, 2, bytes.length - 2)).as("bytes of '" + id + "'")
                    .isEqualTo(SysmonLineParser.eventId(id));
        }
        assertThat(SysmonLineParser.eventId("１７")).as("Integer.parseInt reads other scripts' digits").isEqualTo(17);
        for (String number : List.of("17", "17.0", "17.00", "1.7e1", "17E0", "-0", "0", "1234567890", "2147483648", "-17", "17.5",
                "99999999999999999999", "017", "1e", "17 ")) {
            check("event id number " + number, "{" + CHANNEL + ",\"EventID\":" + number + ",\"UtcTime\":\"" + TIME + "\"}");
            check("event id number last " + number, "{" + CHANNEL + ",\"UtcTime\":\"" + TIME + "\",\"EventID\":" + number + "}");
        }
        assertNoDisagreement();
    }

    private static final List<String> UTC_TIMES = List.of(" " + TIME + " ", TIME, "  " + TIME, TIME + "   ", "", " ", "   ",
            "2024-03-12T09:00:00Z", "2024-03-12 09:00:00.123456789", "2024-03-12 09:00:00.000+01:00", "2024-03-12 09:00:00-0130",
            "2024-03-12 09:00:00+05", TIME + "é", "é" + TIME, "2024-03-12 09:00:00.００0", "２024-03-12 09:00:00.000",
            "\u00a0" + TIME, TIME + "\u00a0", "\u2003" + TIME, TIME + "\u0085", "2024-03-12 09:00:0٠", TIME + "Z ",
            "2024-03-12 09:00:00+😀00", "2024-03-12 09:00:00+😀0:0", "2024-03-12 09:00:00.0😀", TIME + "😀", "2024-02-30 00:00:00");

    @Test
    void utcTimesWithBlanksNonAsciiAndNothing() {
        for (String time : UTC_TIMES) {
            String json = "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + time + "\"}";
            String jsonWithRecordTime = "{\"EventID\":1,\"UtcTime\":\"" + time + "\",\"@timestamp\":\"2024-03-12T09:00:00.350Z\"}";
            String xml = XML_HEAD + "<Data Name='UtcTime'>" + time + "</Data>" + XML_TAIL;
            String xmlBlanks = XML_HEAD + "<Data Name='UtcTime'>\t\r\n" + time + "\n\t</Data>" + XML_TAIL;
            for (String line : List.of(json, jsonWithRecordTime, xml, xmlBlanks)) {
                check("UtcTime '" + time + "'", line);
            }
            byte[] bytes = ("ab" + time + "cd").getBytes(StandardCharsets.UTF_8);
            String trimmed = time.trim();
            long fromString = parseUtcTimeOrThrown(trimmed);
            assertThat(SysmonTime.parseUtcTime(bytes, 2, bytes.length - 2)).as("bytes of '" + time + "'").isEqualTo(fromString);
        }
        check("UtcTime escaped blank", "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"\\t" + TIME + "\"}");
        check("UtcTime escaped", "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"2024-03-12 09:00:00\\u002e000\"}");
        assertNoDisagreement();
    }

    /** The String reader must give INVALID for anything that is no time, never throw (the full parser's dead letter reason depends on it). */
    private static long parseUtcTimeOrThrown(String text) {
        try {
            return SysmonTime.parseUtcTime(text);
        } catch (RuntimeException e) {
            return SysmonTime.INVALID;
        }
    }

    /**
     * A supplementary character (a surrogate pair, one '?' byte in Latin-1) in a UtcTime: the full parser
     * must refuse it as an invalid UtcTime, as before the change, not fail with an index out of bounds.
     */
    @Test
    void aUtcTimeWithASupplementaryCharacterIsAnInvalidUtcTimeNotAParserFailure() {
        List<String> wrong = new ArrayList<>();
        for (String time : List.of("2024-03-12 09:00:00+😀00", "2024-03-12 09:00:00+😀0:0")) {
            String json = "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + time + "\"}";
            String escaped = "{" + CHANNEL + ",\"EventID\":1,\"UtcTime\":\"" + time.replace("😀", "\\ud83d\\ude00") + "\"}";
            String xml = XML_HEAD + "<Data Name='UtcTime'>" + time + "</Data>" + XML_TAIL;
            for (String line : List.of(json, escaped, xml)) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                SysmonRecord r = full.parse(b, 0, b.length, Origin.fileLine("surrogate", 1));
                if (r.kind != Kind.DEAD_LETTER || !r.deadLetter.reason.startsWith("invalid UtcTime")) {
                    wrong.add(line + " -> " + r.kind + (r.deadLetter != null ? " (" + r.deadLetter.reason + ")" : ""));
                }
            }
        }
        assertThat(wrong).as("full parser outcomes that are no 'invalid UtcTime' dead letter").isEmpty();
    }
}
