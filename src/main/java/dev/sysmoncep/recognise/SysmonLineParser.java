package dev.sysmoncep.recognise;

import dev.sysmoncep.recognise.FieldValues.Field;
import dev.sysmoncep.records.CaseFold;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import dev.sysmoncep.scan.ByteVectors;
import dev.sysmoncep.scan.ByteWords;
import dev.sysmoncep.scan.VectorSupport;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Recognises one input line as a Sysmon event in any of the input formats (CONTRACT "Inputs") and
 * normalises it, or says why it is not one. The format is told per line by its first byte: '&lt;'
 * XML, '&#123;' JSON.
 *
 * <p>One instance per thread: it reuses its buffers and is not thread-safe.
 */
public final class SysmonLineParser {

    /**
     * Longest line read by default. The largest Sysmon records (32 KiB command lines, twice over
     * with the rendered Message) stay far below; a longer line is an error or an attack on the reader.
     */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    private static final int MAX_REASON_CHARS = 200;
    private static final boolean VECTORS = VectorSupport.AVAILABLE;

    /** Fields the rendered Message of each kind of event carries. */
    private static final Field[] EVERY_EVENT_FIELDS = {
        Field.UTC_TIME, Field.PROCESS_GUID, Field.PROCESS_ID, Field.IMAGE, Field.USER};
    private static final Field[] PIPE_EVENT_FIELDS = {Field.EVENT_TYPE, Field.PIPE_NAME};
    private static final Field[] DNS_EVENT_FIELDS = {Field.QUERY_NAME, Field.QUERY_STATUS, Field.QUERY_RESULTS};

    private final int maxLineBytes;
    private final FieldValues values = new FieldValues();
    private final JsonEventReader json = new JsonEventReader();
    private final XmlEventReader xml = new XmlEventReader();
    private final JsonQuickCheck quickJson = new JsonQuickCheck();
    private final XmlQuickCheck quickXml = new XmlQuickCheck();
    /** What {@link #classify} found. */
    private Kind classified;
    private SourceFormat classifiedFormat;
    private long classifiedTime;

    public SysmonLineParser() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public SysmonLineParser(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads {@code buf[off, off+len)}: one line without its newline. A trailing {@code \r},
     * surrounding whitespace and a UTF-8 byte order mark are ignored. Never throws for any content
     * of the line: whatever is not a Sysmon event becomes a dead letter with the reason. The
     * record's format is what the line was taken for, UNKNOWN where that could not be told.
     *
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code buf}
     */
    public SysmonRecord parse(byte[] buf, int off, int len, Origin origin) {
        Objects.checkFromIndexSize(off, len, buf.length);
        try {
            return recognise(buf, off, len, origin);
        } catch (RuntimeException e) {
            // A fault in a library's reader must cost one line, not the job.
            return deadLetter(SourceFormat.UNKNOWN, "parser failure: " + firstLine(String.valueOf(e)),
                    buf, off, len, origin);
        }
    }

    /**
     * Tells what a line no rule can match is, as {@link #parse} would, without decoding it where a
     * structural scan suffices: a Sysmon event (of which format, at which time), a record of another
     * channel, or a blank line; see {@link #classifiedKind()}. False when only a full parse can tell
     * (a line with any fault among them, so that its dead letter gets the full parser's reason).
     */
    public boolean classify(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len > maxLineBytes) {
            return false;
        }
        int start = contentStart(buf, off, off + len);
        int end = contentEnd(buf, start, off + len);
        if (start == end) {
            classified = Kind.BLANK;
            classifiedFormat = SourceFormat.UNKNOWN;
            return true;
        }
        byte first = buf[start];
        if ((first != '{' && first != '<') || textProblem(buf, start, end, off) != null) {
            return false;
        }
        if (first == '<') {
            if (!quickXml.check(buf, start, end)) {
                return false;
            }
            classified = quickXml.sysmon ? Kind.EVENT : Kind.NOT_SYSMON;
            classifiedFormat = SourceFormat.XML;
            classifiedTime = quickXml.eventTime;
            return true;
        }
        if (!quickJson.check(buf, start, end)) {
            return false;
        }
        classified = quickJson.sysmon ? Kind.EVENT : Kind.NOT_SYSMON;
        classifiedFormat = quickJson.format;
        classifiedTime = quickJson.eventTime;
        return true;
    }

    /** After {@link #classify} said true: EVENT, NOT_SYSMON or BLANK. */
    public Kind classifiedKind() {
        return classified;
    }

    public SourceFormat classifiedFormat() {
        return classifiedFormat;
    }

    /** The event time of a classified EVENT, epoch milliseconds UTC. */
    public long classifiedTime() {
        return classifiedTime;
    }

    /** Where a line's content starts: past a UTF-8 byte order mark and blanks. */
    private static int contentStart(byte[] buf, int off, int end) {
        int start = off;
        if (end - off >= 3 && buf[off] == (byte) 0xEF && buf[off + 1] == (byte) 0xBB && buf[off + 2] == (byte) 0xBF) {
            start += 3;
        }
        while (start < end && isBlank(buf[start])) {
            start++;
        }
        return start;
    }

    /** Where a line's content ends: before trailing blanks. */
    private static int contentEnd(byte[] buf, int start, int end) {
        while (end > start && isBlank(buf[end - 1])) {
            end--;
        }
        return end;
    }

    private SysmonRecord recognise(byte[] buf, int off, int len, Origin origin) {
        if (len > maxLineBytes) {
            return DeadLetter.overLimit(origin, len, maxLineBytes, buf, off, len);
        }
        int start = contentStart(buf, off, off + len);
        int end = contentEnd(buf, start, off + len);
        if (start == end) {
            return SysmonRecord.blank();
        }
        byte first = buf[start];
        boolean isXml = first == '<';
        if (!isXml && first != '{' && first != '[') {
            String reason = JsonEventReader.isJsonScalar(buf, start, end - start) ? "JSON is not an object"
                    : String.format("not JSON or XML (starts with byte 0x%02x)", first & 0xFF);
            return deadLetter(SourceFormat.UNKNOWN, reason, buf, off, len, origin);
        }
        String badText = textProblem(buf, start, end, off);
        if (badText != null) {
            return deadLetter(SourceFormat.UNKNOWN, badText, buf, off, len, origin);
        }
        values.clear();
        String problem = isXml ? xml.read(buf, start, end - start, values) : json.read(buf, start, end - start, values);
        if (problem != null) {
            return deadLetter(values.format, problem, buf, off, len, origin);
        }
        return normalise(buf, off, len, origin);
    }

    /** Turns the values read into an event: the rules common to all formats. */
    private SysmonRecord normalise(byte[] buf, int off, int len, Origin origin) {
        FieldValues v = values;
        SourceFormat format = v.format;
        String channel = v.get(Field.CHANNEL);
        String provider = v.get(Field.PROVIDER);
        if ((channel != null || provider != null) && !mentionsSysmon(channel) && !mentionsSysmon(provider)) {
            return SysmonRecord.notSysmon(format);
        }
        String id = v.get(Field.EVENT_ID);
        if (id == null) {
            return deadLetter(format, (format == SourceFormat.XML ? "XML" : "JSON") + " is not a Sysmon event: no event id",
                    buf, off, len, origin);
        }
        int eventId = eventId(id);
        if (eventId < 0) {
            return deadLetter(format, "event id is not an integer: " + quoted(id), buf, off, len, origin);
        }
        if (v.duplicate() != null) {
            // Splunk would make the field multivalue; one value stands for the event here, and picking
            // either could miss or invent a match, so the line is refused where an analyst sees it.
            return deadLetter(format, "the field " + v.duplicate() + " is given twice with different values", buf, off, len,
                    origin);
        }
        boolean pipeEvent = eventId == 17 || eventId == 18;
        if (pipeEvent) {
            // Winlogbeat moves PipeName to file.name; in other events file.name is a file's.
            if (v.get(Field.PIPE_NAME) == null) {
                v.set(Field.PIPE_NAME, v.get(Field.ECS_FILE_NAME));
            }
            if (isCollectorInfo(v.get(Field.EVENT_TYPE))) {
                v.set(Field.EVENT_TYPE, null); // nxlog's severity "INFO": not Sysmon's value; the Message may have it
            }
        }
        if (eventId == 22) {
            DnsFields.normalise(v);
        }
        if (format == SourceFormat.FLAT_JSON && messageCanFill(v, eventId) && v.get(Field.MESSAGE) != null) {
            v.fillMissingFromMessage();
        }
        // After the Message: its User line names the process owner, the record's account only the collector's.
        v.set(Field.USER, user(v));
        // Only a missing EventType or a collector's INFO is derived; any other value stays, and matches no rule.
        if (pipeEvent && (v.get(Field.EVENT_TYPE) == null || isCollectorInfo(v.get(Field.EVENT_TYPE)))) {
            v.set(Field.EVENT_TYPE, eventId == 17 ? "CreatePipe" : "ConnectPipe");
        }
        // An empty UtcTime the Message did not fill is there, and unreadable: it is no missing one.
        String utcTime = v.get(Field.UTC_TIME) == null && v.emptyUtcTime() ? "" : v.get(Field.UTC_TIME);
        String recordTime = v.get(Field.RECORD_TIME);
        long eventTime;
        if (utcTime != null) {
            // UtcTime wins; one that cannot be read is never replaced by a record time a collector may have shifted.
            eventTime = SysmonTime.parseUtcTime(utcTime.trim());
            if (eventTime == SysmonTime.INVALID) {
                return deadLetter(format, "invalid UtcTime " + quoted(utcTime), buf, off, len, origin);
            }
        } else if (recordTime != null) {
            eventTime = SysmonTime.parseRecordTime(recordTime.trim());
            if (eventTime == SysmonTime.INVALID) {
                return deadLetter(format, "invalid event time: no UtcTime, record time " + quoted(recordTime), buf, off,
                        len, origin);
            }
        } else {
            return deadLetter(format, "no event time", buf, off, len, origin);
        }
        SysmonEvent event = new SysmonEvent();
        event.format = format;
        event.host = v.get(Field.HOST);
        event.eventId = eventId;
        event.eventTime = eventTime;
        event.processGuid = v.get(Field.PROCESS_GUID);
        event.processId = v.get(Field.PROCESS_ID);
        event.image = v.get(Field.IMAGE);
        event.user = v.get(Field.USER);
        event.eventType = v.get(Field.EVENT_TYPE);
        event.pipeName = v.get(Field.PIPE_NAME);
        event.queryName = v.get(Field.QUERY_NAME);
        event.queryStatus = v.get(Field.QUERY_STATUS);
        event.queryResults = v.get(Field.QUERY_RESULTS);
        event.origin = origin;
        return SysmonRecord.event(event);
    }

    /** Sysmon's User, else the ECS user, else nxlog's account of the record, else the record's SID. */
    private static String user(FieldValues v) {
        String user = v.get(Field.USER);
        if (user == null) {
            String domain = v.get(Field.ECS_USER_DOMAIN);
            String name = v.get(Field.ECS_USER_NAME);
            user = domain != null && name != null ? domain + "\\" + name : name;
        }
        if (user == null) {
            String domain = v.get(Field.NXLOG_DOMAIN);
            String account = v.get(Field.NXLOG_ACCOUNT);
            user = domain != null && account != null ? domain + "\\" + account : null;
        }
        return user != null ? user : v.get(Field.USER_SID);
    }

    /**
     * Whether the rendered Message is worth reading: a field this kind of event has is missing (or,
     * for a pipe event, its EventType). Keeps the scan off the common path of complete records.
     */
    private static boolean messageCanFill(FieldValues v, int eventId) {
        return anyMissing(v, EVERY_EVENT_FIELDS)
                || (eventId == 17 || eventId == 18) && anyMissing(v, PIPE_EVENT_FIELDS)
                || eventId == 22 && anyMissing(v, DNS_EVENT_FIELDS);
    }

    private static boolean anyMissing(FieldValues v, Field[] fields) {
        for (Field field : fields) {
            if (v.get(field) == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link #eventId(String)} of the text in {@code buf[from, to)} (UTF-8): plain digits read where
     * they lie, the rest (a sign, a fraction, digits of other scripts) through the text.
     */
    static int eventId(byte[] buf, int from, int to) {
        int i = from;
        int last = to;
        while (i < last && (buf[i] & 0xFF) <= ' ') {
            i++;
        }
        while (last > i && (buf[last - 1] & 0xFF) <= ' ') {
            last--;
        }
        if (last > i && last - i <= 9) {
            int id = 0;
            for (; i < last; i++) {
                int digit = buf[i] - '0';
                if (digit < 0 || digit > 9) {
                    return eventId(new String(buf, from, to - from, StandardCharsets.UTF_8));
                }
                id = id * 10 + digit;
            }
            return id;
        }
        return eventId(new String(buf, from, to - from, StandardCharsets.UTF_8));
    }

    /**
     * The event id, written as an integer or as an integral number such as {@code 22.0} (a collector
     * that types every number as a float), as Splunk compares numbers; -1 for anything else.
     */
    static int eventId(String text) {
        String t = text.trim();
        int dot = t.indexOf('.');
        if (dot > 0 && t.substring(dot + 1).chars().allMatch(c -> c == '0')) {
            t = t.substring(0, dot);
        }
        try {
            int id = Integer.parseInt(t);
            return id < 0 ? -1 : id;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** nxlog writes its own severity, "INFO", where Sysmon's EventType belongs. */
    private static boolean isCollectorInfo(String eventType) {
        return eventType != null && CaseFold.equals(eventType, "INFO");
    }

    /** Whether a channel or provider name is Sysmon's; the quick checks ask this too, so that they agree. */
    static boolean mentionsSysmon(String text) {
        return text != null && CaseFold.contains(text, "sysmon");
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /**
     * Why bytes [from, to) are not text that JSON or XML could hold: malformed UTF-8 (overlong forms
     * and surrogates included) or a control byte. Checked up front so that every reader refuses
     * alike, and so that Jackson cannot take NUL-laden bytes for UTF-16.
     *
     * @return null for good text; positions in the reason count from {@code lineStart}
     */
    private static String textProblem(byte[] buf, int from, int to, int lineStart) {
        int i = from;
        while (i < to) {
            if (VECTORS) {
                i = ByteVectors.skipPrintableAscii(buf, i, to);
                if (i == to) {
                    break;
                }
            } else if (i + Long.BYTES <= to && ByteWords.notPrintableAscii(ByteWords.word(buf, i)) == 0) {
                i += Long.BYTES; // the common case: eight printable ASCII bytes
                continue;
            }
            int b = buf[i];
            if (b >= 0) {
                if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') {
                    return String.format("control byte 0x%02x at byte %d", b, i - lineStart);
                }
                i++;
                continue;
            }
            b &= 0xFF;
            int continuations = b >= 0xC2 && b <= 0xDF ? 1 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xF0 && b <= 0xF4 ? 3 : 0;
            // The second byte's range rules out overlong forms, UTF-16 surrogates and code points past U+10FFFF.
            int low = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
            int high = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
            boolean valid = continuations > 0 && i + continuations < to
                    && (buf[i + 1] & 0xFF) >= low && (buf[i + 1] & 0xFF) <= high;
            for (int k = 2; valid && k <= continuations; k++) {
                valid = (buf[i + k] & 0xC0) == 0x80;
            }
            if (!valid) {
                return "invalid UTF-8 at byte " + (i - lineStart);
            }
            i += continuations + 1;
        }
        return null;
    }

    /** The first line of a library's message, cut short enough for a dead-letter reason. */
    static String firstLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > MAX_REASON_CHARS ? line.substring(0, MAX_REASON_CHARS) : line;
    }

    private static String quoted(String value) {
        if (value == null) {
            return "(none)";
        }
        return "'" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "'";
    }

    private static SysmonRecord deadLetter(SourceFormat format, String reason, byte[] buf, int off, int len, Origin origin) {
        return SysmonRecord.deadLetter(format, DeadLetter.of(origin, reason, buf, off, len));
    }
}
