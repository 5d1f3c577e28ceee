package dev.sysmoncep.recognise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Malformed and adversarial Sysmon lines, seeded: the same seed gives the same lines. Each line
 * says what it must become. For every kind but {@link Hostility#RANDOM_MUTATION} that is known by
 * construction (a line cut before its closing bracket is never JSON, a NUL byte never text); a
 * random byte mutation can leave a line as good as before, so its expected kind is what a
 * separate parser makes of it, and only that it never throws is proven there. No line holds a
 * {@code \n}, so each stays one line in a file.
 */
public final class HostileLines {

    public enum Hostility {
        TRUNCATED_JSON, TRUNCATED_XML, DEEP_JSON, DEEP_XML, EVENT_ID_WRONG_TYPE, TIME_GARBAGE,
        /** A field of the wrong type, but the line is still an event (its value read as text, or absent). */
        FIELD_WRONG_TYPE, OVER_LIMIT, INVALID_UTF8, CONTROL_BYTE, DOCTYPE, UNDECLARED_ENTITY, NOT_JSON_OR_XML,
        RANDOM_MUTATION
    }

    /** A generated line and what the parser must make of it. */
    public record Line(Hostility hostility, byte[] bytes, Kind expected) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] REAL_LINES = {
        "real-lines/ecs_winlogbeat8_sysmon_handwritten.jsonl",
        "real-lines/otrf_dialect_a_covenant_psremoting.jsonl",
        "real-lines/otrf_dialect_b_empire_rubeus.jsonl",
        "real-lines/otrf_dialect_c_lsass_campaign_05.jsonl",
        "real-lines/otrf_psh_cmstp_mixed_channels.jsonl",
        "real-lines/splunk_sysmon_eventid_17_18_22.xml"};
    private static final String[] EVENT_ID_PATHS = {"EventID", "EventCode", "event.code", "winlog.event_id"};
    private static final String[] TIME_PATHS = {"UtcTime", "winlog.event_data.UtcTime", "@timestamp", "TimeCreated",
        "event.created"};
    private static final String[] BAD_TIMES = {"yesterday", "2023-02-29 10:00:00.000", "2024-13-01 00:00:00.000",
        "2024-03-12 24:00:00.000", "2024-03-12T09:14:05+25:00", "0000-00-00 00:00:00.000", "2024-03-12 09:14:05.1234567890",
        "9".repeat(40), "2024-03-12 09:14:05.125 Z", " ", "-"};
    private static final int[] NOT_TEXT_BYTES = {0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xF8, 0xFE, 0xFF};

    private final Random random;
    private final int maxLineBytes;
    private final SysmonLineParser oracle;
    private final List<byte[]> json = new ArrayList<>();
    private final List<byte[]> xml = new ArrayList<>();
    /** Sysmon events, whose event id or time made wrong makes them dead letters (another channel's are skipped). */
    private final List<byte[]> sysmonJson = new ArrayList<>();
    private final List<byte[]> sysmonXml = new ArrayList<>();
    /** Lines no random mutation can turn into a match of a rule: none mentions wermgr. */
    private final List<byte[]> harmless = new ArrayList<>();

    /**
     * @param seed the same seed, the same lines
     * @param maxLineBytes the limit the parser under test enforces; OVER_LIMIT lines pass it
     */
    public HostileLines(long seed, int maxLineBytes) {
        this.random = new Random(seed);
        this.maxLineBytes = maxLineBytes;
        this.oracle = new SysmonLineParser(maxLineBytes);
        List<byte[]> seeds = new ArrayList<>();
        for (String resource : REAL_LINES) {
            seeds.addAll(TestLines.of(resource));
        }
        Scenarios.qakbotLike().events().forEach(e -> {
            for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
                seeds.add(bytes(SysmonLineWriter.render(e, Map.of(), format)));
            }
        });
        for (int i = 0; i < 20; i++) {
            for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
                seeds.add(bytes(SysmonLineWriter.render(background(i), Map.of(), format)));
            }
        }
        for (byte[] line : seeds) {
            (line[0] == '<' ? xml : json).add(line);
            if (oracle(line) == Kind.EVENT) {
                (line[0] == '<' ? sysmonXml : sysmonJson).add(line);
            }
            if (!new String(line, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("wermgr")) {
                harmless.add(line);
            }
        }
    }

    /** The seed of a fuzz run: {@code -Dsysmoncep.fuzz.seed=N}, else a new one; printed, to replay a failed run. */
    public static long seed() {
        Long given = Long.getLong("sysmoncep.fuzz.seed");
        long seed = given != null ? given : new Random().nextLong();
        System.out.println("fuzz seed " + seed + " (rerun with -Dsysmoncep.fuzz.seed=" + seed + ")");
        return seed;
    }

    /** A line of a hostility drawn at random; over-limit lines are one in 500, so files stay small. */
    public Line next() {
        if (random.nextInt(500) == 0) {
            return overLimit(maxLineBytes + 1 + random.nextInt(maxLineBytes));
        }
        Hostility[] kinds = Hostility.values();
        Hostility h;
        do {
            h = kinds[random.nextInt(kinds.length)];
        } while (h == Hostility.OVER_LIMIT);
        return next(h);
    }

    public Line next(Hostility h) {
        return switch (h) {
            case TRUNCATED_JSON -> dead(h, truncated(pick(json), '}'));
            case TRUNCATED_XML -> dead(h, truncated(pick(xml), '>'));
            case DEEP_JSON -> dead(h, deepJson());
            case DEEP_XML -> dead(h, deepXml());
            case EVENT_ID_WRONG_TYPE -> dead(h, random.nextBoolean() ? eventIdWrongTypeJson() : eventIdWrongTypeXml());
            case TIME_GARBAGE -> dead(h, random.nextBoolean() ? timeGarbageJson() : timeGarbageXml());
            case FIELD_WRONG_TYPE -> new Line(h, fieldWrongType(), Kind.EVENT);
            case OVER_LIMIT -> overLimit(maxLineBytes + 1 + random.nextInt(maxLineBytes));
            case INVALID_UTF8 -> dead(h, inserted(pick(random.nextBoolean() ? json : xml),
                    new byte[] {(byte) NOT_TEXT_BYTES[random.nextInt(NOT_TEXT_BYTES.length)]}));
            case CONTROL_BYTE -> dead(h, inserted(pick(random.nextBoolean() ? json : xml), new byte[] {controlByte()}));
            case DOCTYPE -> dead(h, doctype());
            case UNDECLARED_ENTITY -> dead(h, undeclaredEntity());
            case NOT_JSON_OR_XML -> notJsonOrXml();
            case RANDOM_MUTATION -> mutated();
        };
    }

    /** A flat JSON event of {@code fieldBytes} bytes in its Message: 10 MB makes the hostile "huge field". */
    public Line hugeField(int fieldBytes) {
        ObjectNode event = object(pick(json));
        event.put("Message", "A".repeat(fieldBytes));
        byte[] line = write(event);
        return new Line(Hostility.OVER_LIMIT, line, line.length > maxLineBytes ? Kind.DEAD_LETTER : oracle(line));
    }

    private Line overLimit(int length) {
        ObjectNode event = object(pick(json));
        event.put("Message", "x".repeat(length));
        byte[] line = write(event);
        return new Line(Hostility.OVER_LIMIT, line, Kind.DEAD_LETTER);
    }

    /** A line that must be refused; cut down to blanks only (a seed "{}" truncated), it is counted as blank. */
    private static Line dead(Hostility h, byte[] line) {
        return new Line(h, line, new String(line, StandardCharsets.UTF_8).isBlank() ? Kind.BLANK : Kind.DEAD_LETTER);
    }

    /** Cut before its last closing character: an object or element never closed. */
    private byte[] truncated(byte[] line, char closing) {
        int last = line.length - 1;
        while (line[last] != closing) {
            last--;
        }
        return java.util.Arrays.copyOf(line, random.nextInt(last + 1));
    }

    /** Past Jackson's nesting limit (1000), yet under the line limit, so it is the depth that is met. */
    private byte[] deepJson() {
        byte[] event = write(object(pick(json)));
        String opening = random.nextBoolean() ? "[" : "{\"a\":";
        boolean closed = random.nextBoolean();
        int unit = opening.length() + (closed ? 1 : 0);
        int depth = 1_001 + random.nextInt(Math.max(1, Math.min(200, (maxLineBytes - event.length - 64) / unit - 1_001)));
        String inner = closed ? opening.repeat(depth) + "1" + (opening.equals("[") ? "]" : "}").repeat(depth)
                : opening.repeat(depth);
        String where = switch (random.nextInt(3)) {
            case 0 -> "\"tags\":";
            case 1 -> "\"winlog\":{\"event_data\":{\"Extra\":";
            default -> "\"EventID\":";
        };
        return bytes("{" + where + inner + "," + new String(event, StandardCharsets.UTF_8).substring(1));
    }

    private byte[] deepXml() {
        String name = random.nextBoolean() ? "x" : "Data";
        int depth = 1 + random.nextInt(Math.max(1, Math.min(1_000, (maxLineBytes - 64) / (2 * name.length() + 5))));
        return bytes("<Event><System>" + ("<" + name + ">").repeat(depth) + ("</" + name + ">").repeat(depth)
                + "</System></Event>");
    }

    private byte[] eventIdWrongTypeJson() {
        ObjectNode event = object(pick(sysmonJson));
        removePaths(event, EVENT_ID_PATHS);
        JsonNode wrong = switch (random.nextInt(9)) {
            case 0 -> JSON.createObjectNode().put("value", 22);
            case 1 -> JSON.createArrayNode().add(22);
            case 2 -> JSON.getNodeFactory().numberNode(new java.math.BigInteger("9".repeat(10 + random.nextInt(2_000))));
            case 3 -> JSON.getNodeFactory().numberNode(22.5);
            case 4 -> JSON.getNodeFactory().booleanNode(true);
            case 5 -> JSON.getNodeFactory().textNode("twenty-two");
            case 6 -> JSON.getNodeFactory().textNode("");
            case 7 -> JSON.getNodeFactory().nullNode();
            default -> JSON.getNodeFactory().numberNode(-1e300);
        };
        if (random.nextBoolean()) {
            event.set("EventID", wrong);
        } else {
            (event.get("winlog") instanceof ObjectNode winlog ? winlog : event.putObject("winlog")).set("event_id", wrong);
        }
        return write(event);
    }

    private byte[] eventIdWrongTypeXml() {
        String line = new String(pick(sysmonXml), StandardCharsets.UTF_8);
        String wrong = switch (random.nextInt(6)) {
            case 0 -> "seventeen";
            case 1 -> "99999999999999999999";
            case 2 -> "";
            case 3 -> "17.5";
            case 4 -> "0x11";
            default -> "<Value>17</Value>";
        };
        return bytes(line.replaceFirst("<EventID>[^<]*</EventID>", "<EventID>" + wrong + "</EventID>"));
    }

    private byte[] timeGarbageJson() {
        ObjectNode event = object(pick(sysmonJson));
        removePaths(event, TIME_PATHS);
        event.remove("Message"); // its UtcTime line would stand in for a missing UtcTime
        JsonNode bad = switch (random.nextInt(4)) {
            case 0 -> JSON.getNodeFactory().numberNode(1_710_234_845_125L);
            case 1 -> JSON.createObjectNode().put("UtcTime", "2024-03-12 09:14:05.125");
            default -> JSON.getNodeFactory().textNode(BAD_TIMES[random.nextInt(BAD_TIMES.length)]);
        };
        event.set(random.nextBoolean() ? "UtcTime" : "@timestamp", bad);
        return write(event);
    }

    private byte[] timeGarbageXml() {
        String line = new String(pick(sysmonXml), StandardCharsets.UTF_8);
        String bad = BAD_TIMES[random.nextInt(BAD_TIMES.length)];
        return bytes(line.replaceFirst("(<Data Name='UtcTime'>)[^<]*(</Data>)", "$1" + bad + "$2")
                .replaceFirst("SystemTime='[^']*'", "SystemTime='" + BAD_TIMES[random.nextInt(BAD_TIMES.length)] + "'"));
    }

    /** A harmless event whose ProcessGuid, ProcessId, Image or QueryName has the wrong JSON type. */
    private byte[] fieldWrongType() {
        byte[] base = SysmonLineWriter.render(background(random.nextInt(1000)), Map.of(), SourceFormat.FLAT_JSON)
                .getBytes(StandardCharsets.UTF_8);
        ObjectNode event = object(base);
        String field = new String[] {"ProcessGuid", "ProcessId", "Image", "QueryName", "User", "Computer"}[random.nextInt(6)];
        switch (random.nextInt(5)) {
            case 0 -> event.put(field, random.nextLong());
            case 1 -> event.putObject(field).put("nested", "{3CFDEE80-2F7D-605B-F50A-00000000AE01}");
            case 2 -> event.putArray(field).add("C:\\Windows\\SysWOW64\\wermgr.exe");
            case 3 -> event.put(field, random.nextBoolean());
            default -> event.putNull(field);
        }
        return write(event);
    }

    private byte[] doctype() {
        String event = new String(pick(xml), StandardCharsets.UTF_8);
        String url = "http://127.0.0.1:9/";
        String declaration = random.nextBoolean() ? "" : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
        String doctype = switch (random.nextInt(6)) {
            case 0 -> "<!DOCTYPE Event [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
            case 1 -> "<!DOCTYPE Event SYSTEM \"" + url + "event.dtd\">";
            case 2 -> "<!DOCTYPE Event [<!ENTITY % p SYSTEM \"" + url + "p.dtd\"> %p;]>";
            case 3 -> billionLaughs();
            case 4 -> "<!DOCTYPE Event [<!ENTITY e \"x\">]>";
            default -> "<!DOCTYPE Event>";
        };
        String body = doctype.contains("lol9") ? event.replaceFirst("<Computer>", "<Computer>&lol9;")
                : doctype.contains("xxe") ? event.replaceFirst("<Computer>", "<Computer>&xxe;") : event;
        return bytes(declaration + doctype + body);
    }

    private static String billionLaughs() {
        StringBuilder s = new StringBuilder("<!DOCTYPE Event [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            s.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        return s.append("]>").toString();
    }

    private byte[] undeclaredEntity() {
        String event = new String(pick(xml), StandardCharsets.UTF_8);
        String entity = new String[] {"&xxe;", "&lol9;", "&nbsp;", "&#x0;"}[random.nextInt(4)];
        return bytes(random.nextBoolean() ? event.replaceFirst("</Computer>", entity + "</Computer>")
                : event.replaceFirst("<EventData>", "<EventData>" + entity));
    }

    /** Not an event of any format; a line of blanks only is counted as blank, the others are dead letters. */
    private Line notJsonOrXml() {
        Hostility h = Hostility.NOT_JSON_OR_XML;
        return switch (random.nextInt(6)) {
            case 0 -> dead(h, bytes("[{\"EventID\":22}]"));
            case 1 -> dead(h, bytes(Long.toString(random.nextLong())));
            case 2 -> dead(h, bytes("\"" + "EventID".repeat(random.nextInt(5)) + "\""));
            case 3 -> new Line(h, bytes(" ".repeat(random.nextInt(4))), Kind.BLANK);
            case 4 -> dead(h, bytes("2024-03-12 09:14:05 wermgr.exe connected to api.ipify.org"));
            default -> {
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                b[0] = (byte) (0x80 | b[0]);
                yield dead(h, withoutNewlines(b));
            }
        };
    }

    private Line mutated() {
        byte[] line = pick(harmless).clone();
        int edits = 1 + random.nextInt(4);
        String syntax = "{}[]<>\"':&;,\\ 0.-";
        for (int e = 0; e < edits; e++) {
            line[random.nextInt(line.length)] = (byte) (random.nextBoolean() ? random.nextInt(256)
                    : syntax.charAt(random.nextInt(syntax.length())));
        }
        line = withoutNewlines(line);
        return new Line(Hostility.RANDOM_MUTATION, line, oracle(line));
    }

    private Kind oracle(byte[] line) {
        return oracle.parse(line, 0, line.length, Origin.fileLine("oracle", 1)).kind;
    }

    private byte[] inserted(byte[] line, byte[] insert) {
        int at = random.nextInt(line.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(line, 0, at);
        out.writeBytes(insert);
        out.write(line, at, line.length - at);
        return out.toByteArray();
    }

    /** A C0 control byte other than tab, CR and LF. */
    private byte controlByte() {
        int b;
        do {
            b = random.nextInt(0x20);
        } while (b == '\t' || b == '\r' || b == '\n');
        return (byte) b;
    }

    private static byte[] withoutNewlines(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                line[i] = ' ';
            }
        }
        return line;
    }

    private byte[] pick(List<byte[]> lines) {
        return lines.get(random.nextInt(lines.size()));
    }

    /** An ordinary DNS lookup by svchost.exe: an event no rule matches. */
    private static SysmonEvent background(int i) {
        SysmonEvent e = Scenarios.dns("WS-BG-" + (i % 7) + ".corp.example.com",
                String.format("{3CFDEE80-2F7D-605B-F50A-0000%08X}", i), Integer.toString(1000 + i),
                Scenarios.T0.plus(Duration.ofSeconds(i)), "host" + i + ".example.com");
        e.image = "C:\\Windows\\System32\\svchost.exe";
        return e;
    }

    private static void removePaths(ObjectNode event, String[] paths) {
        for (String path : paths) {
            event.remove(path);
            int dot = path.indexOf('.');
            if (dot > 0 && event.get(path.substring(0, dot)) instanceof ObjectNode parent) {
                removePaths(parent, new String[] {path.substring(dot + 1)});
            }
        }
    }

    private static ObjectNode object(byte[] jsonLine) {
        try {
            return (ObjectNode) JSON.readTree(jsonLine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(ObjectNode event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
