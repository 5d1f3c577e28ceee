package dev.sysmoncep.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sysmoncep.generate.SysmonSchema.EventLayout;
import dev.sysmoncep.generate.SysmonSchema.Source;
import dev.sysmoncep.recognise.SourceFormat;
import dev.sysmoncep.recognise.SysmonEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a Sysmon event as one log line in the shape a collector would have written it: Splunk's
 * XmlWinEventLog, OTRF's flat JSON ("clean" dialect) or Winlogbeat's ECS JSON. The opposite of
 * {@code SysmonLineParser}: what it writes, the parser must read back to the same event.
 *
 * <p>The event log record around the event (record time, record id, the Sysmon service's process
 * and thread) is not part of {@link SysmonEvent}; it is derived from the event itself, so the same
 * event always gives the same line.
 */
public final class SysmonLineWriter {
    private static final String PROVIDER = "Microsoft-Windows-Sysmon";
    private static final String PROVIDER_GUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
    /** JSON collectors write the provider GUID in lower case. */
    private static final String PROVIDER_GUID_JSON = PROVIDER_GUID.toLowerCase(Locale.ROOT);
    private static final String CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    private static final String KEYWORDS = "0x8000000000000000";
    private static final String WINLOGBEAT_VERSION = "8.13.4";
    private static final String ECS_VERSION = "8.0.0";

    /** One value per line: no separator between root values, the caller ends the line. */
    private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private static final ThreadLocal<SysmonLineWriter> PER_THREAD = ThreadLocal.withInitial(SysmonLineWriter::new);

    /** Where Winlogbeat's sysmon ingest pipeline moves an EventData field; unlisted ones stay in event_data. */
    private enum EcsField {
        COMMAND_LINE, WORKING_DIRECTORY, PARENT_ENTITY_ID, PARENT_PID, PARENT_EXECUTABLE,
        PARENT_COMMAND_LINE, SOURCE_IP, SOURCE_PORT, DESTINATION_IP, DESTINATION_PORT, TRANSPORT,
        FILE_PATH, REGISTRY_PATH;

        static EcsField of(String eventDataName) {
            return switch (eventDataName) {
                case "CommandLine" -> COMMAND_LINE;
                case "CurrentDirectory" -> WORKING_DIRECTORY;
                case "ParentProcessGuid" -> PARENT_ENTITY_ID;
                case "ParentProcessId" -> PARENT_PID;
                case "ParentImage" -> PARENT_EXECUTABLE;
                case "ParentCommandLine" -> PARENT_COMMAND_LINE;
                case "SourceIp" -> SOURCE_IP;
                case "SourcePort" -> SOURCE_PORT;
                case "DestinationIp" -> DESTINATION_IP;
                case "DestinationPort" -> DESTINATION_PORT;
                case "Protocol" -> TRANSPORT;
                case "TargetFilename", "ImageLoaded" -> FILE_PATH;
                case "TargetObject" -> REGISTRY_PATH;
                default -> null;
            };
        }
    }

    private final StringBuilder line = new StringBuilder(2048);
    private final StringBuilder scratch = new StringBuilder(512);
    private final JsonGenerator json;
    private final TimeText times = new TimeText();
    private char[] copyBuffer = new char[4096];

    // The current event's EventData, in Sysmon's order, and where each value came from.
    private String[] names = new String[48];
    private String[] values = new String[48];
    private Source[] sources = new Source[48];
    private int fieldCount;
    private final String[] core = new String[Source.values().length];
    private final String[] ecs = new String[EcsField.values().length];

    // The current event's record: when the event log wrote it and under which ids.
    private long recordMillis;
    private int recordTicks;
    private long recordId;
    private int serviceProcessId;
    private int serviceThreadId;

    SysmonLineWriter() {
        try {
            json = JSON.createGenerator(new Writer() {
                @Override
                public void write(char[] buffer, int offset, int length) {
                    line.append(buffer, offset, length);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line, without its newline.
     *
     * @param e the event; its {@code format} and {@code origin} are ignored
     * @param extraEventData EventData fields {@code SysmonEvent} does not carry (CommandLine,
     *     Hashes, DestinationIp, TargetFilename, ...), in the order to write those Sysmon's schema
     *     does not place; may be null
     * @param format XML, FLAT_JSON or ECS_JSON
     */
    public static String render(SysmonEvent e, Map<String, String> extraEventData, SourceFormat format) {
        SysmonLineWriter writer = PER_THREAD.get();
        writer.build(e, extraEventData, format);
        return writer.line.toString();
    }

    /** Writes one line, without its newline, to {@code out}; for callers writing many. */
    void write(SysmonEvent e, Map<String, String> extraEventData, SourceFormat format, Writer out)
            throws IOException {
        build(e, extraEventData, format);
        int length = line.length();
        if (copyBuffer.length < length) {
            copyBuffer = new char[Math.max(length, copyBuffer.length * 2)];
        }
        line.getChars(0, length, copyBuffer, 0);
        out.write(copyBuffer, 0, length);
    }

    private void build(SysmonEvent e, Map<String, String> extra, SourceFormat format) {
        EventLayout layout = SysmonSchema.layout(e.eventId);
        resolve(e, extra, layout);
        stampRecord(e);
        line.setLength(0);
        try {
            switch (format) {
                case XML -> xml(e, layout);
                case FLAT_JSON -> flatJson(e, layout);
                case ECS_JSON -> ecsJson(e, layout);
                default -> throw new IllegalArgumentException("cannot render format " + format);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void resolve(SysmonEvent e, Map<String, String> extra, EventLayout layout) {
        fieldCount = 0;
        Arrays.fill(core, null);
        for (int i = 0; i < layout.fields.length; i++) {
            String name = layout.fields[i];
            Source source = layout.sources[i];
            String value = valueOf(source, e, extra);
            if (value == null && extra != null) {
                value = extra.get(name);
            }
            if (value != null) {
                addField(name, value, source);
            }
        }
        if (extra != null) {
            for (Map.Entry<String, String> field : extra.entrySet()) {
                if (field.getValue() != null && !layout.fieldNames.contains(field.getKey())) {
                    addField(field.getKey(), field.getValue(), Source.EXTRA);
                }
            }
        }
    }

    private String valueOf(Source source, SysmonEvent e, Map<String, String> extra) {
        return switch (source) {
            case RULE_NAME -> extra != null && extra.get("RuleName") != null ? extra.get("RuleName") : "-";
            case EVENT_TYPE -> e.eventType;
            case UTC_TIME -> {
                scratch.setLength(0);
                times.appendUtcTime(scratch, e.eventTime);
                yield scratch.toString();
            }
            case PROCESS_GUID -> e.processGuid;
            case PROCESS_ID -> e.processId;
            case IMAGE -> e.image;
            case USER -> e.user;
            case PIPE_NAME -> e.pipeName;
            case QUERY_NAME -> e.queryName;
            case QUERY_STATUS -> e.queryStatus;
            case QUERY_RESULTS -> e.queryResults;
            case EXTRA -> null;
        };
    }

    private void addField(String name, String value, Source source) {
        if (fieldCount == names.length) {
            names = Arrays.copyOf(names, fieldCount * 2);
            values = Arrays.copyOf(values, fieldCount * 2);
            sources = Arrays.copyOf(sources, fieldCount * 2);
        }
        names[fieldCount] = name;
        values[fieldCount] = value;
        sources[fieldCount] = source;
        fieldCount++;
        if (source != Source.EXTRA) {
            core[source.ordinal()] = value;
        }
    }

    /**
     * The event log writes a record a little after Sysmon saw the event (Splunk's examples: 0 to 2 s),
     * numbers records per host in order, and one Sysmon service process writes them all.
     */
    private void stampRecord(SysmonEvent e) {
        long eventHash = mix(e.eventTime * 31 + (e.processGuid == null ? 0 : e.processGuid.hashCode()) + e.eventId);
        long hostHash = mix(e.host == null ? 0 : e.host.hashCode());
        int delayMillis = 100 + (int) Math.floorMod(eventHash, 400L);
        recordMillis = e.eventTime + delayMillis;
        recordTicks = (int) Math.floorMod(eventHash >>> 20, 10_000L);
        // About 40 records a second, from an offset of the host's own; wraps like a cleared log.
        recordId = 1 + Math.floorMod(Math.floorDiv(e.eventTime, 25L) + hostHash, 9_999_999L);
        serviceProcessId = 1000 + (int) Math.floorMod(hostHash >>> 24, 2000L) * 4;
        serviceThreadId = 1000 + (int) Math.floorMod(hostHash >>> 40, 2000L) * 4 + e.eventId % 3 * 4;
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    // ---- Splunk XmlWinEventLog

    private void xml(SysmonEvent e, EventLayout layout) {
        line.append("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='")
                .append(PROVIDER).append("' Guid='").append(PROVIDER_GUID).append("'/><EventID>").append(e.eventId)
                .append("</EventID><Version>").append(layout.version).append("</Version><Level>4</Level><Task>")
                .append(e.eventId).append("</Task><Opcode>0</Opcode><Keywords>").append(KEYWORDS)
                .append("</Keywords><TimeCreated SystemTime='");
        times.appendSystemTime(line, recordMillis, recordTicks);
        line.append("'/><EventRecordID>").append(recordId).append("</EventRecordID><Correlation/><Execution ProcessID='")
                .append(serviceProcessId).append("' ThreadID='").append(serviceThreadId).append("'/><Channel>")
                .append(CHANNEL).append("</Channel><Computer>");
        appendXml(e.host == null ? "" : e.host);
        line.append("</Computer><Security UserID='S-1-5-18'/></System><EventData>");
        for (int i = 0; i < fieldCount; i++) {
            line.append("<Data Name='");
            appendXml(names[i]);
            line.append("'>");
            appendXml(values[i]);
            line.append("</Data>");
        }
        line.append("</EventData></Event>");
    }

    /** Escapes as the Windows event log renders XML; line breaks become references so a record stays one line. */
    private void appendXml(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && !needsEscape(s.charAt(i))) {
            i++;
        }
        line.append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> line.append("&amp;");
                case '<' -> line.append("&lt;");
                case '>' -> line.append("&gt;");
                case '\'' -> line.append("&apos;");
                case '"' -> line.append("&quot;");
                case '\n' -> line.append("&#10;");
                case '\r' -> line.append("&#13;");
                case '\t' -> line.append("&#9;");
                default -> line.append(c < 0x20 || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : c);
            }
        }
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '&' || c == '<' || c == '>' || c == '\'' || c == '"' || c >= 0xFFFE;
    }

    // ---- OTRF flat JSON ("clean" dialect)

    private void flatJson(SysmonEvent e, EventLayout layout) throws IOException {
        String recordTime = isoMillis(recordMillis);
        json.writeStartObject();
        json.writeStringField("SourceName", PROVIDER);
        json.writeStringField("ProviderGuid", PROVIDER_GUID_JSON);
        json.writeStringField("Level", "4");
        json.writeStringField("Keywords", KEYWORDS);
        json.writeStringField("Channel", CHANNEL);
        writeIfPresent("Hostname", e.host);
        json.writeStringField("TimeCreated", recordTime);
        json.writeStringField("@timestamp", recordTime);
        json.writeNumberField("EventID", e.eventId);
        json.writeStringField("Message", message(layout));
        json.writeStringField("Task", Integer.toString(e.eventId));
        for (int i = 0; i < fieldCount; i++) {
            json.writeStringField(names[i], values[i]);
        }
        json.writeEndObject();
        json.flush();
    }

    /** Sysmon's rendered text, as the Windows event log shows it. */
    private String message(EventLayout layout) {
        scratch.setLength(0);
        scratch.append(layout.title);
        for (int i = 0; i < fieldCount; i++) {
            scratch.append("\r\n").append(names[i]).append(": ").append(values[i]);
        }
        return scratch.toString();
    }

    // ---- Winlogbeat 8 ECS JSON (sysmon module)

    private void ecsJson(SysmonEvent e, EventLayout layout) throws IOException {
        Arrays.fill(ecs, null);
        for (int i = 0; i < fieldCount; i++) {
            if (sources[i] == Source.EXTRA) {
                EcsField target = EcsField.of(names[i]);
                if (target != null) {
                    ecs[target.ordinal()] = values[i];
                }
            }
        }
        String shortHost = shortHostName(e.host);

        json.writeStartObject();
        json.writeStringField("@timestamp", isoMillis(recordMillis));
        json.writeObjectFieldStart("agent");
        writeIfPresent("name", shortHost);
        json.writeStringField("type", "winlogbeat");
        json.writeStringField("version", WINLOGBEAT_VERSION);
        json.writeEndObject();
        writeEndpoint("destination", EcsField.DESTINATION_IP, EcsField.DESTINATION_PORT);
        if (core(Source.QUERY_NAME) != null) {
            json.writeObjectFieldStart("dns");
            json.writeObjectFieldStart("question");
            json.writeStringField("name", core(Source.QUERY_NAME));
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeObjectFieldStart("ecs");
        json.writeStringField("version", ECS_VERSION);
        json.writeEndObject();
        writeEvent(e, layout);
        writeFile();
        json.writeObjectFieldStart("host");
        writeIfPresent("name", shortHost);
        json.writeEndObject();
        json.writeObjectFieldStart("log");
        json.writeStringField("level", "information");
        json.writeEndObject();
        if (e.eventId == 22 || ecs(EcsField.TRANSPORT) != null) {
            json.writeObjectFieldStart("network");
            if (e.eventId == 22) {
                json.writeStringField("protocol", "dns");
            }
            writeIfPresent("transport", ecs(EcsField.TRANSPORT));
            json.writeEndObject();
        }
        writeProcess();
        if (ecs(EcsField.REGISTRY_PATH) != null) {
            json.writeObjectFieldStart("registry");
            json.writeStringField("path", ecs(EcsField.REGISTRY_PATH));
            json.writeEndObject();
        }
        writeEndpoint("source", EcsField.SOURCE_IP, EcsField.SOURCE_PORT);
        writeUser(core(Source.USER));
        writeWinlog(e, layout);
        json.writeEndObject();
        json.flush();
    }

    private void writeEvent(SysmonEvent e, EventLayout layout) throws IOException {
        json.writeObjectFieldStart("event");
        json.writeStringField("action", layout.action);
        writeArray("category", layout.categories);
        json.writeStringField("code", Integer.toString(e.eventId));
        // Winlogbeat reads the record a moment after the event log wrote it.
        json.writeStringField("created", isoMillis(recordMillis + 200 + recordTicks % 1000));
        json.writeStringField("kind", "event");
        json.writeStringField("module", "sysmon");
        json.writeStringField("provider", PROVIDER);
        writeArray("type", layout.types);
        json.writeEndObject();
    }

    /** A pipe's name (events 17, 18) or the file created or loaded (events 11, 7). */
    private void writeFile() throws IOException {
        String pipe = core(Source.PIPE_NAME);
        String path = ecs(EcsField.FILE_PATH);
        if (pipe == null && path == null) {
            return;
        }
        json.writeObjectFieldStart("file");
        json.writeStringField("name", pipe != null ? pipe : fileName(path));
        writeIfPresent("path", path);
        json.writeEndObject();
    }

    private void writeProcess() throws IOException {
        String image = core(Source.IMAGE);
        json.writeObjectFieldStart("process");
        writeIfPresent("command_line", ecs(EcsField.COMMAND_LINE));
        writeIfPresent("entity_id", core(Source.PROCESS_GUID));
        writeIfPresent("executable", image);
        writeIfPresent("name", image == null ? null : fileName(image));
        String parentImage = ecs(EcsField.PARENT_EXECUTABLE);
        if (parentImage != null || ecs(EcsField.PARENT_ENTITY_ID) != null) {
            json.writeObjectFieldStart("parent");
            writeIfPresent("command_line", ecs(EcsField.PARENT_COMMAND_LINE));
            writeIfPresent("entity_id", ecs(EcsField.PARENT_ENTITY_ID));
            writeIfPresent("executable", parentImage);
            writeIfPresent("name", parentImage == null ? null : fileName(parentImage));
            writeNumberIfPresent("pid", ecs(EcsField.PARENT_PID));
            json.writeEndObject();
        }
        writeNumberIfPresent("pid", core(Source.PROCESS_ID));
        writeIfPresent("working_directory", ecs(EcsField.WORKING_DIRECTORY));
        json.writeEndObject();
    }

    private void writeEndpoint(String object, EcsField ip, EcsField port) throws IOException {
        if (ecs(ip) == null && ecs(port) == null) {
            return;
        }
        json.writeObjectFieldStart(object);
        writeIfPresent("ip", ecs(ip));
        writeNumberIfPresent("port", ecs(port));
        json.writeEndObject();
    }

    /** Winlogbeat splits Sysmon's {@code DOMAIN\name}. */
    private void writeUser(String user) throws IOException {
        if (user == null) {
            return;
        }
        int cut = user.indexOf('\\');
        json.writeObjectFieldStart("user");
        if (cut >= 0) {
            json.writeStringField("domain", user.substring(0, cut));
        }
        json.writeStringField("name", user.substring(cut + 1));
        json.writeEndObject();
    }

    private void writeWinlog(SysmonEvent e, EventLayout layout) throws IOException {
        json.writeObjectFieldStart("winlog");
        json.writeStringField("api", "wineventlog");
        json.writeStringField("channel", CHANNEL);
        writeIfPresent("computer_name", e.host);
        json.writeObjectFieldStart("event_data");
        for (int i = 0; i < fieldCount; i++) {
            if (staysInEventData(i)) {
                json.writeStringField(names[i], values[i]);
            }
        }
        json.writeEndObject();
        json.writeStringField("event_id", Integer.toString(e.eventId));
        json.writeStringField("opcode", "Info");
        json.writeObjectFieldStart("process");
        json.writeNumberField("pid", serviceProcessId);
        json.writeObjectFieldStart("thread");
        json.writeNumberField("id", serviceThreadId);
        json.writeEndObject();
        json.writeEndObject();
        json.writeStringField("provider_guid", PROVIDER_GUID_JSON);
        json.writeStringField("provider_name", PROVIDER);
        json.writeStringField("record_id", Long.toString(recordId));
        json.writeStringField("task", layout.task);
        json.writeObjectFieldStart("user");
        json.writeStringField("domain", "NT AUTHORITY");
        json.writeStringField("identifier", "S-1-5-18");
        json.writeStringField("name", "SYSTEM");
        json.writeStringField("type", "Well Known Group");
        json.writeEndObject();
        json.writeNumberField("version", layout.version);
        json.writeEndObject();
    }

    /** The ingest pipeline moves what it maps (process, user, pipe, query, ...) out of event_data. */
    private boolean staysInEventData(int field) {
        return switch (sources[field]) {
            case RULE_NAME, EVENT_TYPE, UTC_TIME, QUERY_STATUS, QUERY_RESULTS -> true;
            case EXTRA -> EcsField.of(names[field]) == null;
            default -> false;
        };
    }

    // ---- helpers

    private String core(Source source) {
        return core[source.ordinal()];
    }

    private String ecs(EcsField field) {
        return ecs[field.ordinal()];
    }

    private void writeIfPresent(String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    /** Pids and ports are numbers in ECS; a value that is not one is kept as text rather than lost. */
    private void writeNumberIfPresent(String name, String value) throws IOException {
        if (value == null) {
            return;
        }
        json.writeFieldName(name);
        if (isSmallNumber(value)) {
            json.writeNumber(Long.parseLong(value));
        } else {
            json.writeString(value);
        }
    }

    private static boolean isSmallNumber(String value) {
        int n = value.length();
        if (n == 0 || n > 18) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private void writeArray(String name, String[] items) throws IOException {
        json.writeArrayFieldStart(name);
        for (String item : items) {
            json.writeString(item);
        }
        json.writeEndArray();
    }

    private String isoMillis(long epochMillis) {
        scratch.setLength(0);
        times.appendIsoMillis(scratch, epochMillis);
        return scratch.toString();
    }

    private static String fileName(String path) {
        return path.substring(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
    }

    /** {@code WS-FIN-07.corp.example.com} gives {@code ws-fin-07}, as Winlogbeat's host.name. */
    private static String shortHostName(String host) {
        if (host == null) {
            return null;
        }
        int dot = host.indexOf('.');
        return (dot < 0 ? host : host.substring(0, dot)).toLowerCase(Locale.ROOT);
    }
}
