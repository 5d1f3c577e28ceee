package dev.sysmoncep.generate;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.sysmoncep.generate.SysmonSchema.EventLayout;
import dev.sysmoncep.generate.SysmonSchema.Source;
import dev.sysmoncep.recognise.DnsFields;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
    private static final String CHANNEL = "Microsoft-Windows-Sysmon/Operational";
    private static final String KEYWORDS = "0x8000000000000000";

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

    /** Event ids as text, as every JSON line writes its own. */
    private static final String[] EVENT_ID_TEXT = new String[256];

    static {
        for (int id = 0; id < EVENT_ID_TEXT.length; id++) {
            EVENT_ID_TEXT[id] = Integer.toString(id);
        }
    }

    /** Upper bound of extra field names kept encoded; EventData has a few dozen. */
    private static final int MAX_ENCODED_NAMES = 1000;

    private final LineBuffer line = new LineBuffer();
    private final StringBuilder xmlText = new StringBuilder(2048);
    private final StringBuilder scratch = new StringBuilder(512);
    private final JsonGenerator json;
    private final Map<String, SerializedString> encodedExtraNames = new HashMap<>();
    private final TimeText times = new TimeText();

    // The current event's EventData, in Sysmon's order, and where each value came from.
    private String[] names = new String[48];
    private SerializedString[] encodedNames = new SerializedString[48];
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
            json = JSON.createGenerator(line, JsonEncoding.UTF8);
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

    /**
     * Writes one line in UTF-8, without its newline, to {@code out}; for callers writing many.
     *
     * @return the number of bytes written
     */
    int write(SysmonEvent e, Map<String, String> extraEventData, SourceFormat format, OutputStream out)
            throws IOException {
        build(e, extraEventData, format);
        line.writeTo(out);
        return line.size();
    }

    private void build(SysmonEvent e, Map<String, String> extra, SourceFormat format) {
        EventLayout layout = SysmonSchema.layout(e.eventId);
        resolve(e, extra, layout);
        stampRecord(e);
        line.reset();
        try {
            switch (format) {
                case XML -> {
                    xmlText.setLength(0);
                    xml(e, layout);
                    line.writeUtf8(xmlText);
                }
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
        int takenFromExtra = 0;
        for (int i = 0; i < layout.fields.length; i++) {
            String name = layout.fields[i];
            Source source = layout.sources[i];
            String value = carried(source, e);
            if (value == null && extra != null) {
                value = extra.get(name);
                if (value != null) {
                    takenFromExtra++;
                }
            }
            if (value == null && source == Source.RULE_NAME) {
                value = "-";
            }
            if (value != null) {
                addField(name, layout.encodedFields[i], value, source);
            }
        }
        // Fields Sysmon's schema does not place go last, in the map's order.
        if (extra != null && takenFromExtra < extra.size()) {
            for (Map.Entry<String, String> field : extra.entrySet()) {
                if (field.getValue() != null && !layout.fieldNames.contains(field.getKey())) {
                    addField(field.getKey(), encoded(field.getKey()), field.getValue(), Source.EXTRA);
                }
            }
        }
    }

    /** The value {@code SysmonEvent} carries for that field, or null (then the extra map may have it). */
    private String carried(Source source, SysmonEvent e) {
        return switch (source) {
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
            case RULE_NAME, EXTRA -> null;
        };
    }

    private void addField(String name, SerializedString encodedName, String value, Source source) {
        if (fieldCount == names.length) {
            names = Arrays.copyOf(names, fieldCount * 2);
            encodedNames = Arrays.copyOf(encodedNames, fieldCount * 2);
            values = Arrays.copyOf(values, fieldCount * 2);
            sources = Arrays.copyOf(sources, fieldCount * 2);
        }
        names[fieldCount] = name;
        encodedNames[fieldCount] = encodedName;
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
        xmlText.append("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='")
                .append(PROVIDER).append("' Guid='").append(PROVIDER_GUID).append("'/><EventID>").append(e.eventId)
                .append("</EventID><Version>").append(layout.version).append("</Version><Level>4</Level><Task>")
                .append(e.eventId).append("</Task><Opcode>0</Opcode><Keywords>").append(KEYWORDS)
                .append("</Keywords><TimeCreated SystemTime='");
        times.appendSystemTime(xmlText, recordMillis, recordTicks);
        xmlText.append("'/><EventRecordID>").append(recordId).append("</EventRecordID><Correlation/><Execution ProcessID='")
                .append(serviceProcessId).append("' ThreadID='").append(serviceThreadId).append("'/><Channel>")
                .append(CHANNEL).append("</Channel><Computer>");
        appendXml(e.host == null ? "" : e.host);
        xmlText.append("</Computer><Security UserID='S-1-5-18'/></System><EventData>");
        for (int i = 0; i < fieldCount; i++) {
            xmlText.append("<Data Name='");
            appendXml(names[i]);
            xmlText.append("'>");
            appendXml(values[i]);
            xmlText.append("</Data>");
        }
        xmlText.append("</EventData></Event>");
    }

    /** Escapes as the Windows event log renders XML; line breaks become references so a record stays one line. */
    private void appendXml(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && !needsEscape(s.charAt(i))) {
            i++;
        }
        xmlText.append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> xmlText.append("&amp;");
                case '<' -> xmlText.append("&lt;");
                case '>' -> xmlText.append("&gt;");
                case '\'' -> xmlText.append("&apos;");
                case '"' -> xmlText.append("&quot;");
                case '\n' -> xmlText.append("&#10;");
                case '\r' -> xmlText.append("&#13;");
                case '\t' -> xmlText.append("&#9;");
                default -> xmlText.append(c < 0x20 || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : c);
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
        field(JsonText.SOURCE_NAME, JsonText.PROVIDER);
        field(JsonText.PROVIDER_GUID, JsonText.PROVIDER_GUID_VALUE);
        field(JsonText.LEVEL, JsonText.LEVEL_VALUE);
        field(JsonText.KEYWORDS, JsonText.KEYWORDS_VALUE);
        field(JsonText.CHANNEL, JsonText.CHANNEL_VALUE);
        field(JsonText.HOSTNAME, e.host);
        field(JsonText.TIME_CREATED, recordTime);
        field(JsonText.TIMESTAMP, recordTime);
        json.writeFieldName(JsonText.EVENT_ID);
        json.writeNumber(e.eventId);
        field(JsonText.MESSAGE, message(layout));
        field(JsonText.TASK, eventIdText(e.eventId));
        for (int i = 0; i < fieldCount; i++) {
            json.writeFieldName(encodedNames[i]);
            json.writeString(values[i]);
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
        // The module parses UtcTime into @timestamp and drops it from event_data.
        field(JsonText.TIMESTAMP, isoMillis(e.eventTime));
        json.writeFieldName(JsonText.AGENT);
        json.writeStartObject();
        field(JsonText.NAME, shortHost);
        field(JsonText.TYPE, JsonText.WINLOGBEAT);
        field(JsonText.VERSION, JsonText.WINLOGBEAT_VERSION);
        json.writeEndObject();
        writeEndpoint(JsonText.DESTINATION, EcsField.DESTINATION_IP, EcsField.DESTINATION_PORT);
        if (core(Source.QUERY_NAME) != null) {
            json.writeFieldName(JsonText.DNS);
            json.writeStartObject();
            List<String> resolved = new ArrayList<>();
            List<DnsFields.Answer> answers = DnsFields.answers(core(Source.QUERY_RESULTS), resolved);
            if (!answers.isEmpty()) {
                json.writeFieldName(JsonText.ANSWERS);
                json.writeStartArray();
                for (DnsFields.Answer a : answers) {
                    json.writeStartObject();
                    field(JsonText.DATA, a.data());
                    field(JsonText.TYPE, a.type());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeFieldName(JsonText.QUESTION);
            json.writeStartObject();
            field(JsonText.NAME, core(Source.QUERY_NAME));
            json.writeEndObject();
            if (!resolved.isEmpty()) {
                writeArray(JsonText.RESOLVED_IP, resolved.toArray(String[]::new));
            }
            json.writeEndObject();
        }
        json.writeFieldName(JsonText.ECS);
        json.writeStartObject();
        field(JsonText.VERSION, JsonText.ECS_VERSION);
        json.writeEndObject();
        writeEvent(e, layout);
        writeFile();
        json.writeFieldName(JsonText.HOST);
        json.writeStartObject();
        field(JsonText.NAME, shortHost);
        json.writeEndObject();
        json.writeFieldName(JsonText.LOG);
        json.writeStartObject();
        field(JsonText.LEVEL_NAME, JsonText.INFORMATION);
        json.writeEndObject();
        if (e.eventId == 22 || ecs(EcsField.TRANSPORT) != null) {
            json.writeFieldName(JsonText.NETWORK);
            json.writeStartObject();
            if (e.eventId == 22) {
                field(JsonText.PROTOCOL, JsonText.DNS_PROTOCOL);
            }
            field(JsonText.TRANSPORT, ecs(EcsField.TRANSPORT));
            json.writeEndObject();
        }
        writeProcess();
        if (ecs(EcsField.REGISTRY_PATH) != null) {
            json.writeFieldName(JsonText.REGISTRY);
            json.writeStartObject();
            field(JsonText.PATH, ecs(EcsField.REGISTRY_PATH));
            json.writeEndObject();
        }
        writeEndpoint(JsonText.SOURCE, EcsField.SOURCE_IP, EcsField.SOURCE_PORT);
        if (core(Source.QUERY_STATUS) != null) {
            json.writeFieldName(JsonText.SYSMON_MODULE);
            json.writeStartObject();
            json.writeFieldName(JsonText.DNS);
            json.writeStartObject();
            field(JsonText.STATUS, DnsFields.statusName(core(Source.QUERY_STATUS)));
            json.writeEndObject();
            json.writeEndObject();
        }
        writeUser(core(Source.USER));
        writeWinlog(e, layout);
        json.writeEndObject();
        json.flush();
    }

    private void writeEvent(SysmonEvent e, EventLayout layout) throws IOException {
        json.writeFieldName(JsonText.EVENT);
        json.writeStartObject();
        field(JsonText.ACTION, layout.action);
        writeArray(JsonText.CATEGORY, layout.categories);
        field(JsonText.CODE, eventIdText(e.eventId));
        // Winlogbeat reads the record a moment after the event log wrote it.
        field(JsonText.CREATED, isoMillis(recordMillis + 200 + recordTicks % 1000));
        field(JsonText.KIND, JsonText.KIND_EVENT);
        field(JsonText.MODULE, JsonText.SYSMON);
        field(JsonText.PROVIDER_NAME_SHORT, JsonText.PROVIDER);
        writeArray(JsonText.TYPE, layout.types);
        json.writeEndObject();
    }

    /** A pipe's name (events 17, 18) or the file created or loaded (events 11, 7). */
    private void writeFile() throws IOException {
        String pipe = core(Source.PIPE_NAME);
        String path = ecs(EcsField.FILE_PATH);
        if (pipe == null && path == null) {
            return;
        }
        json.writeFieldName(JsonText.FILE);
        json.writeStartObject();
        field(JsonText.NAME, pipe != null ? pipe : fileName(path));
        field(JsonText.PATH, path);
        json.writeEndObject();
    }

    private void writeProcess() throws IOException {
        String image = core(Source.IMAGE);
        json.writeFieldName(JsonText.PROCESS);
        json.writeStartObject();
        field(JsonText.COMMAND_LINE, ecs(EcsField.COMMAND_LINE));
        field(JsonText.ENTITY_ID, core(Source.PROCESS_GUID));
        field(JsonText.EXECUTABLE, image);
        field(JsonText.NAME, image == null ? null : fileName(image));
        String parentImage = ecs(EcsField.PARENT_EXECUTABLE);
        if (parentImage != null || ecs(EcsField.PARENT_ENTITY_ID) != null) {
            json.writeFieldName(JsonText.PARENT);
            json.writeStartObject();
            field(JsonText.COMMAND_LINE, ecs(EcsField.PARENT_COMMAND_LINE));
            field(JsonText.ENTITY_ID, ecs(EcsField.PARENT_ENTITY_ID));
            field(JsonText.EXECUTABLE, parentImage);
            field(JsonText.NAME, parentImage == null ? null : fileName(parentImage));
            numberField(JsonText.PID, ecs(EcsField.PARENT_PID));
            json.writeEndObject();
        }
        numberField(JsonText.PID, core(Source.PROCESS_ID));
        field(JsonText.WORKING_DIRECTORY, ecs(EcsField.WORKING_DIRECTORY));
        json.writeEndObject();
    }

    private void writeEndpoint(SerializedString object, EcsField ip, EcsField port) throws IOException {
        if (ecs(ip) == null && ecs(port) == null) {
            return;
        }
        json.writeFieldName(object);
        json.writeStartObject();
        field(JsonText.IP, ecs(ip));
        numberField(JsonText.PORT, ecs(port));
        json.writeEndObject();
    }

    /** Winlogbeat splits Sysmon's {@code DOMAIN\name}. */
    private void writeUser(String user) throws IOException {
        if (user == null) {
            return;
        }
        int cut = user.indexOf('\\');
        json.writeFieldName(JsonText.USER);
        json.writeStartObject();
        if (cut >= 0) {
            field(JsonText.DOMAIN, user.substring(0, cut));
        }
        field(JsonText.NAME, user.substring(cut + 1));
        json.writeEndObject();
    }

    private void writeWinlog(SysmonEvent e, EventLayout layout) throws IOException {
        json.writeFieldName(JsonText.WINLOG);
        json.writeStartObject();
        field(JsonText.API, JsonText.WINEVENTLOG);
        field(JsonText.CHANNEL_NAME, JsonText.CHANNEL_VALUE);
        field(JsonText.COMPUTER_NAME, e.host);
        json.writeFieldName(JsonText.EVENT_DATA);
        json.writeStartObject();
        for (int i = 0; i < fieldCount; i++) {
            if (staysInEventData(i)) {
                json.writeFieldName(encodedNames[i]);
                json.writeString(values[i]);
            }
        }
        json.writeEndObject();
        field(JsonText.EVENT_ID_NAME, eventIdText(e.eventId));
        field(JsonText.OPCODE, JsonText.INFO);
        json.writeFieldName(JsonText.PROCESS);
        json.writeStartObject();
        json.writeFieldName(JsonText.PID);
        json.writeNumber(serviceProcessId);
        json.writeFieldName(JsonText.THREAD);
        json.writeStartObject();
        json.writeFieldName(JsonText.ID);
        json.writeNumber(serviceThreadId);
        json.writeEndObject();
        json.writeEndObject();
        field(JsonText.PROVIDER_GUID_NAME, JsonText.PROVIDER_GUID_VALUE);
        field(JsonText.PROVIDER_NAME, JsonText.PROVIDER);
        field(JsonText.RECORD_ID, Long.toString(recordId));
        field(JsonText.TASK_NAME, layout.task);
        json.writeFieldName(JsonText.USER);
        json.writeRawValue(JsonText.SERVICE_USER);
        json.writeFieldName(JsonText.VERSION);
        json.writeNumber(layout.version);
        json.writeEndObject();
    }

    /**
     * The module moves what it maps (process, user, pipe, query, UtcTime, the DNS status and results)
     * out of event_data.
     */
    private boolean staysInEventData(int field) {
        return switch (sources[field]) {
            case RULE_NAME, EVENT_TYPE -> true;
            case EXTRA -> EcsField.of(names[field]) == null;
            default -> false;
        };
    }

    // ---- helpers

    /** A field name outside the schema in its JSON-encoded form, kept as the same few recur. */
    private SerializedString encoded(String name) {
        SerializedString known = encodedExtraNames.get(name);
        if (known == null) {
            known = new SerializedString(name);
            if (encodedExtraNames.size() < MAX_ENCODED_NAMES) {
                encodedExtraNames.put(name, known);
            }
        }
        return known;
    }

    private static String eventIdText(int eventId) {
        return eventId >= 0 && eventId < EVENT_ID_TEXT.length ? EVENT_ID_TEXT[eventId] : Integer.toString(eventId);
    }

    private String core(Source source) {
        return core[source.ordinal()];
    }

    private String ecs(EcsField field) {
        return ecs[field.ordinal()];
    }

    private void field(SerializedString name, String value) throws IOException {
        if (value != null) {
            json.writeFieldName(name);
            json.writeString(value);
        }
    }

    private void field(SerializedString name, SerializedString value) throws IOException {
        json.writeFieldName(name);
        json.writeString(value);
    }

    /** Pids and ports are numbers in ECS; a value that is not one is kept as text rather than lost. */
    private void numberField(SerializedString name, String value) throws IOException {
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

    private void writeArray(SerializedString name, String[] items) throws IOException {
        json.writeFieldName(name);
        json.writeStartArray();
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
