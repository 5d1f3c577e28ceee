package dev.sysmoncep.recognise;

import dev.sysmoncep.scan.StopMarks;
import dev.sysmoncep.scan.Stops;
import java.nio.charset.StandardCharsets;

/**
 * The XML counterpart of {@link JsonQuickCheck}: tells what a Splunk XmlWinEventLog line no rule can
 * match is by one scan of its bytes, for the plain shape Windows writes (elements, quoted attributes,
 * text with the five predefined entities), checking it is well-formed as the JDK's StAX reader would:
 * names balanced, attributes unique, no {@code ]]>} in text, nothing after the root. Anything else
 * (a declaration, a comment, CDATA, a DOCTYPE, a namespace prefix, a character reference, U+FFFE or
 * U+FFFF, a field given twice) it leaves to the full parser, as it does any line that is no event.
 */
final class XmlQuickCheck {
    private static final int MAX_DEPTH = 64;

    private byte[] buf;
    /** Where runs of plain text and attribute values stop, so that they are crossed 64 bytes at a time. */
    private final StopMarks stops = new StopMarks(Stops.XML_TEXT);
    private int pos;
    private int end;
    private final int[] nameStarts = new int[MAX_DEPTH];
    private final int[] nameEnds = new int[MAX_DEPTH];
    private int depth;
    /** The section (child of the root) the scan is in: System, EventData or another. */
    private boolean sectionIsSystem;
    private boolean sectionIsEventData;
    private final int[] attrStarts = new int[8];
    private final int[] attrEnds = new int[8];

    /** The Data names the full parser reads as text; each of them, and each field of System, may come once. */
    private static final String[] DATA_FIELDS = {"UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "EventType",
        "PipeName", "QueryName", "QueryStatus", "QueryResults"};
    private static final String[] SYSTEM_FIELDS = {"Provider", "TimeCreated", "Security", "EventID", "Channel", "Computer"};
    private static final String SYSMON_PROVIDER = "Microsoft-Windows-Sysmon";
    private static final String SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    private static final byte[] SYSMON_PROVIDER_BYTES = ascii(SYSMON_PROVIDER);
    private static final byte[] SYSMON_CHANNEL_BYTES = ascii(SYSMON_CHANNEL);
    /** What an ASCII XML name may begin with, and hold after that. */
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    private static final boolean[] NAME_STARTS = AsciiSet.of(LETTERS);
    private static final boolean[] NAME_CHARS = AsciiSet.of(LETTERS + "0123456789.-");
    private static final byte[][] DATA_NAMES = ascii(DATA_FIELDS);
    private static final byte[][] SYSTEM_NAMES = ascii(SYSTEM_FIELDS);
    private static final byte[] EVENT = ascii("Event");
    private static final byte[] SYSTEM = ascii("System");
    private static final byte[] EVENT_DATA = ascii("EventData");
    private static final byte[] DATA = ascii("Data");
    private static final byte[] NAME = ascii("Name");
    private static final byte[] SYSTEM_TIME = ascii("SystemTime");
    private static final int PROVIDER = 0;
    private static final int TIME_CREATED = 1;
    private static final int EVENT_ID = 3;
    private static final int CHANNEL = 4;
    private static final int COMPUTER = 5;

    /** Where the EventID and the UtcTime lie, read there without a String; -1: absent (or empty). */
    private int eventIdStart;
    private int eventIdEnd;
    private int utcTimeStart;
    private int utcTimeEnd;
    private String channel;
    private String provider;
    private String systemTime;
    private final boolean[] dataSeen = new boolean[DATA_FIELDS.length];
    private final boolean[] systemSeen = new boolean[SYSTEM_FIELDS.length];

    /** What {@link #check} found, as {@link JsonQuickCheck} says it. */
    boolean sysmon;
    long eventTime;

    /** Checks the element in {@code buf[start, end)}: trimmed, valid UTF-8 without control bytes. */
    boolean check(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        stops.mark(buf, start, end);
        depth = 0;
        eventIdStart = utcTimeStart = -1;
        channel = provider = systemTime = null;
        java.util.Arrays.fill(dataSeen, false);
        java.util.Arrays.fill(systemSeen, false);
        if (!element()) {
            return false;
        }
        while (pos < end && isBlank(buf[pos])) {
            pos++;
        }
        return pos == end && decide();
    }

    private boolean decide() {
        if ((channel != null || provider != null) && !SysmonLineParser.mentionsSysmon(channel)
                && !SysmonLineParser.mentionsSysmon(provider)) {
            sysmon = false;
            return true;
        }
        if (eventIdStart < 0 || SysmonLineParser.eventId(buf, eventIdStart, eventIdEnd) < 0) {
            return false;
        }
        if (utcTimeStart >= 0) {
            eventTime = SysmonTime.parseUtcTime(buf, utcTimeStart, utcTimeEnd);
        } else if (dataSeen[0]) {
            return false; // an empty UtcTime: a dead letter, with the full parser's reason
        } else {
            eventTime = systemTime == null ? SysmonTime.INVALID : SysmonTime.parseRecordTime(systemTime.trim());
        }
        sysmon = true;
        return eventTime != SysmonTime.INVALID;
    }

    /** One element from its '<' at buf[pos], with all it holds. */
    private boolean element() {
        if (depth == MAX_DEPTH || pos >= end || buf[pos] != '<') {
            return false;
        }
        pos++;
        int nameStart = pos;
        if (!name()) {
            return false;
        }
        int nameEnd = pos;
        if (depth == 0 && !is(nameStart, nameEnd, EVENT)) {
            return false;
        }
        nameStarts[depth] = nameStart;
        nameEnds[depth] = nameEnd;
        depth++;
        if (depth == 2) {
            sectionIsSystem = is(nameStart, nameEnd, SYSTEM);
            sectionIsEventData = is(nameStart, nameEnd, EVENT_DATA);
        }
        boolean inSystem = depth == 3 && sectionIsSystem;
        boolean inEventData = depth == 3 && sectionIsEventData;
        // Which of System's fields the element is (an index into SYSTEM_FIELDS), told once.
        int systemField = inSystem ? indexOf(SYSTEM_NAMES, nameStart, nameEnd) : -1;
        if (systemField >= 0) {
            if (systemSeen[systemField]) {
                return false;
            }
            systemSeen[systemField] = true;
        }
        boolean isData = inEventData && is(nameStart, nameEnd, DATA);
        // Attributes: up to eight, each name once (read before any child element, so one array serves all).
        int[] attrStarts = this.attrStarts;
        int[] attrEnds = this.attrEnds;
        int attrs = 0;
        int dataField = -1;
        while (true) {
            int blanks = pos;
            while (pos < end && isBlank(buf[pos])) {
                pos++;
            }
            if (pos >= end) {
                return false;
            }
            if (buf[pos] == '/' || buf[pos] == '>') {
                break;
            }
            if (pos == blanks || attrs == attrStarts.length) {
                return false;
            }
            int attrStart = pos;
            if (!name()) {
                return false;
            }
            int attrEnd = pos;
            for (int a = 0; a < attrs; a++) {
                if (same(attrStarts[a], attrEnds[a], attrStart, attrEnd)) {
                    return false;
                }
            }
            attrStarts[attrs] = attrStart;
            attrEnds[attrs] = attrEnd;
            attrs++;
            while (pos < end && isBlank(buf[pos])) {
                pos++;
            }
            if (pos >= end || buf[pos] != '=') {
                return false;
            }
            pos++;
            while (pos < end && isBlank(buf[pos])) {
                pos++;
            }
            if (pos >= end || (buf[pos] != '\'' && buf[pos] != '"')) {
                return false;
            }
            byte quote = buf[pos++];
            int valueStart = pos;
            boolean valueAmp = false;
            while (true) {
                pos = stops.next(pos);
                if (pos >= end || buf[pos] == quote) {
                    break;
                }
                if (buf[pos] == '<' || !charOk(pos)) {
                    return false;
                }
                valueAmp |= buf[pos] == '&';
                pos++;
            }
            if (pos >= end) {
                return false;
            }
            int valueEnd = pos++;
            if (valueAmp && !entitiesOk(valueStart, valueEnd)) {
                return false;
            }
            if (systemField == PROVIDER && is(attrStart, attrEnd, NAME)) {
                provider = known(valueStart, valueEnd, SYSMON_PROVIDER_BYTES, SYSMON_PROVIDER);
            } else if (systemField == TIME_CREATED && is(attrStart, attrEnd, SYSTEM_TIME)) {
                systemTime = plain(valueStart, valueEnd);
            } else if (isData && is(attrStart, attrEnd, NAME)) {
                dataField = indexOf(DATA_NAMES, valueStart, valueEnd);
                if (dataField >= 0 && dataSeen[dataField]) {
                    return false;
                }
                if (dataField >= 0) {
                    dataSeen[dataField] = true;
                } else if (valueAmp) {
                    return false; // a Data name with an entity: which field it names is the full parser's to tell
                }
            } else {
                continue;
            }
            if (valueAmp) {
                return false;
            }
        }
        if (buf[pos] == '/') {
            if (pos + 1 >= end || buf[pos + 1] != '>') {
                return false;
            }
            pos += 2;
            depth--;
            return true;
        }
        pos++; // '>'
        boolean readsText = systemField == EVENT_ID || systemField == CHANNEL || systemField == COMPUTER || dataField >= 0;
        int textStart = pos;
        boolean textAmp = false;
        while (true) {
            int textFrom = pos;
            boolean segmentAmp = false;
            while (true) {
                pos = stops.next(pos);
                if (pos >= end || buf[pos] == '<') {
                    break;
                }
                if (!charOk(pos) || (buf[pos] == ']' && pos + 2 < end && buf[pos + 1] == ']' && buf[pos + 2] == '>')) {
                    return false;
                }
                segmentAmp |= buf[pos] == '&';
                pos++;
            }
            if (pos >= end || segmentAmp && !entitiesOk(textFrom, pos)) {
                return false;
            }
            textAmp |= segmentAmp;
            if (pos + 1 < end && buf[pos + 1] == '/') {
                break;
            }
            if (readsText) {
                return false; // an element inside a field the full parser reads as text: it refuses that
            }
            if (!element()) {
                return false;
            }
        }
        int textEnd = pos;
        pos += 2;
        int closeStart = pos;
        if (!name() || !same(nameStart, nameEnd, closeStart, pos)) {
            return false;
        }
        while (pos < end && isBlank(buf[pos])) {
            pos++;
        }
        if (pos >= end || buf[pos] != '>') {
            return false;
        }
        pos++;
        depth--;
        if (readsText) {
            boolean needed = systemField == EVENT_ID || systemField == CHANNEL || dataField == 0;
            if (needed && textAmp) {
                return false; // the full parser decodes entities
            }
            if (systemField == EVENT_ID && textEnd > textStart) {
                eventIdStart = textStart;
                eventIdEnd = textEnd;
            } else if (systemField == CHANNEL) {
                channel = known(textStart, textEnd, SYSMON_CHANNEL_BYTES, SYSMON_CHANNEL);
            } else if (dataField == 0 && textEnd > textStart) {
                utcTimeStart = textStart;
                utcTimeEnd = textEnd;
            }
        }
        return true;
    }

    private int indexOf(byte[][] names, int from, int to) {
        for (int i = 0; i < names.length; i++) {
            if (is(from, to, names[i])) {
                return i;
            }
        }
        return -1;
    }

    /** An ASCII XML name without a namespace prefix. */
    private boolean name() {
        if (pos >= end || buf[pos] < 0 || !NAME_STARTS[buf[pos]]) {
            return false;
        }
        pos++;
        while (pos < end && buf[pos] >= 0 && NAME_CHARS[buf[pos]]) {
            pos++;
        }
        return pos < end && buf[pos] != ':';
    }

    /** Only the five predefined entities, in text or a value; a character reference is the full parser's. */
    private boolean entitiesOk(int from, int to) {
        // The marks hold every '&' (among other stops): from one to the next, no byte loop.
        for (int i = stops.next(from); i < to; i = stops.next(i + 1)) {
            if (buf[i] == '&') {
                int semicolon = i + 1;
                while (semicolon < to && semicolon - i <= 5 && buf[semicolon] != ';') {
                    semicolon++;
                }
                if (semicolon >= to || buf[semicolon] != ';') {
                    return false;
                }
                String entity = new String(buf, i + 1, semicolon - i - 1, StandardCharsets.ISO_8859_1);
                if (!entity.equals("lt") && !entity.equals("gt") && !entity.equals("amp") && !entity.equals("quot")
                        && !entity.equals("apos")) {
                    return false;
                }
                i = semicolon;
            }
        }
        return true;
    }

    /** A byte that may stand in XML text: U+FFFE and U+FFFF (EF BF BE, EF BF BF) may not. */
    private boolean charOk(int i) {
        return !((buf[i] & 0xFF) == 0xEF && i + 2 < end && (buf[i + 1] & 0xFF) == 0xBF && (buf[i + 2] & 0xFF) >= 0xBE);
    }

    /** As {@link #plain}, without a new string when the text is {@code usual}, as on most lines. */
    private String known(int from, int to, byte[] usualBytes, String usual) {
        return is(from, to, usualBytes) ? usual : plain(from, to);
    }

    /** The text between from and to, which holds no entity; empty counts as absent, as for the full parser. */
    private String plain(int from, int to) {
        return to == from ? null : new String(buf, from, to - from, StandardCharsets.UTF_8);
    }

    private boolean hasColon(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == ':') {
                return true;
            }
        }
        return false;
    }

    private boolean is(int from, int to, byte[] ascii) {
        if (to - from != ascii.length) {
            return false;
        }
        for (int i = 0; i < ascii.length; i++) {
            if (buf[from + i] != ascii[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean same(int aFrom, int aTo, int bFrom, int bTo) {
        return java.util.Arrays.equals(buf, aFrom, aTo, buf, bFrom, bTo);
    }

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] ascii(String[] names) {
        byte[][] bytes = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            bytes[i] = ascii(names[i]);
        }
        return bytes;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
