package dev.sysmoncep.recognise;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.sysmoncep.recognise.FieldValues.Field;
import dev.sysmoncep.records.SourceFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads flat (OTRF, nxlog) and ECS (Winlogbeat, Elastic Agent) JSON in one streaming walk. Keys are
 * matched by their dotted path, so {@code {"winlog":{"event_id":22}}} and {@code {"winlog.event_id":22}}
 * are the same; objects that cannot hold a wanted field are skipped unread, and only wanted values
 * are turned into strings.
 */
final class JsonEventReader {

    /** Thread-safe and holds the shared key-name cache, so one for all readers. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // Not the default thread-local pool: Flink's task threads hold many thread-locals, and the
            // lookup on every parser's creation missed often enough to cost a tenth of a source thread.
            .recyclerPool(JsonRecyclerPools.sharedLockFreePool())
            .build();

    /** The candidate source paths of each field, best first. JSON keys are case-sensitive. */
    private static final Map<String, Candidate> CANDIDATES = new HashMap<>();
    /** Paths of objects worth descending into: every proper prefix of a candidate path. */
    private static final Set<String> PARENTS = new HashSet<>();
    /** A path under one of these means ECS. Plain {@code host} (OTRF's collector) is no such path. */
    private static final String[] ECS_ROOTS = {"winlog.", "process.", "dns.", "file.", "event.", "host."};

    static {
        // "Id" and "MachineName": PowerShell's ConvertTo-Json of Get-WinEvent, whose Message holds the fields.
        candidates(Field.EVENT_ID, "EventID", "winlog.event_id", "event.code", "EventCode", "Id");
        // Not "host": in OTRF that is the collector, not the machine that logged the event.
        candidates(Field.HOST, "Computer", "Hostname", "winlog.computer_name", "host.name", "host.hostname", "MachineName");
        candidates(Field.UTC_TIME, "UtcTime", "winlog.event_data.UtcTime");
        candidates(Field.RECORD_TIME, "@timestamp", "TimeCreated", "event.created");
        candidates(Field.PROCESS_GUID, "ProcessGuid", "winlog.event_data.ProcessGuid", "process.entity_id");
        // Not "ProcessID": in nxlog that is the Sysmon service's own PID.
        candidates(Field.PROCESS_ID, "ProcessId", "winlog.event_data.ProcessId", "process.pid");
        candidates(Field.IMAGE, "Image", "winlog.event_data.Image", "process.executable");
        candidates(Field.USER, "User", "winlog.event_data.User");
        candidates(Field.ECS_USER_DOMAIN, "user.domain");
        candidates(Field.ECS_USER_NAME, "user.name");
        candidates(Field.NXLOG_DOMAIN, "Domain");
        candidates(Field.NXLOG_ACCOUNT, "AccountName");
        candidates(Field.USER_SID, "UserID", "winlog.user.identifier");
        candidates(Field.EVENT_TYPE, "EventType", "winlog.event_data.EventType");
        candidates(Field.PIPE_NAME, "PipeName", "winlog.event_data.PipeName");
        candidates(Field.ECS_FILE_NAME, "file.name");
        candidates(Field.QUERY_NAME, "QueryName", "winlog.event_data.QueryName", "dns.question.name");
        candidates(Field.QUERY_STATUS, "QueryStatus", "winlog.event_data.QueryStatus");
        // Rank 2 (after the two above) is the string rebuilt from Winlogbeat's dns.answers, see readAnswers.
        candidates(Field.QUERY_RESULTS, "QueryResults", "winlog.event_data.QueryResults");
        candidates(Field.MODULE_DNS_STATUS, "sysmon.dns.status");
        candidates(Field.CHANNEL, "Channel", "winlog.channel", "LogName");
        candidates(Field.PROVIDER, "SourceName", "winlog.provider_name", "event.provider", "ProviderName");
        candidates(Field.MESSAGE, "Message");
    }

    /**
     * PowerShell's record names its event id "Id", and its "ProcessId" is the record's own: the
     * Sysmon service's (System/Execution/@ProcessID). The event's ProcessId is in the Message.
     */
    private static final int POWERSHELL_EVENT_ID_RANK = CANDIDATES.get("Id").rank();

    private static final String DNS_ANSWERS = "dns.answers";
    private static final String DNS_RESOLVED_IP = "dns.resolved_ip";

    private record Candidate(Field field, int rank) {}

    /** Every candidate path with its field and rank, for the quick check's trie. */
    static Map<String, Map.Entry<Field, Integer>> candidatePaths() {
        Map<String, Map.Entry<Field, Integer>> paths = new HashMap<>();
        CANDIDATES.forEach((path, c) -> paths.put(path, Map.entry(c.field(), c.rank())));
        return paths;
    }

    /** The paths of objects worth descending into. */
    static Set<String> parentPaths() {
        return PARENTS;
    }

    private static void candidates(Field field, String... paths) {
        for (int rank = 0; rank < paths.length; rank++) {
            String path = paths[rank];
            CANDIDATES.put(path, new Candidate(field, rank));
            for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
                PARENTS.add(path.substring(0, dot));
            }
        }
    }

    /**
     * Reads the JSON object in {@code buf[off, off+len)} into {@code values} and sets its format.
     *
     * @return null if it was read, else why the line is not an event
     */
    String read(byte[] buf, int off, int len, FieldValues values) {
        values.format = SourceFormat.FLAT_JSON;
        try (JsonParser parser = FACTORY.createParser(buf, off, len)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                values.format = SourceFormat.UNKNOWN;
                return "JSON is not an object";
            }
            readObject(parser, null, values, buf, off, off + len);
            if (parser.nextToken() != null) {
                return "JSON has more than one value on the line";
            }
        } catch (IOException e) {
            return "invalid JSON: " + SysmonLineParser.firstLine(
                    e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
        }
        if (values.format == SourceFormat.FLAT_JSON) {
            if (values.rank(Field.EVENT_ID) == POWERSHELL_EVENT_ID_RANK) {
                values.set(Field.PROCESS_ID, null);
            }
            decodeEntitiesIn(values);
        }
        return null;
    }

    /** The text of the JSON scalar that starts at {@code buf[start]}, which a whole line's reading has checked. */
    static String valueText(byte[] buf, int start, int end) {
        try (JsonParser parser = FACTORY.createParser(buf, start, end - start)) {
            parser.nextToken();
            return parser.getText();
        } catch (IOException e) {
            throw new UncheckedIOException("the JSON value read before no longer reads", e);
        }
    }

    /** True for a line that is a whole JSON string, number or literal: JSON, but no object. */
    static boolean isJsonScalar(byte[] buf, int off, int len) {
        try (JsonParser parser = FACTORY.createParser(buf, off, len)) {
            JsonToken first = parser.nextToken();
            return first != null && first.isScalarValue() && parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the members of the object just started, whose path is {@code parent} (null at the top),
     * from the line {@code buf[lineStart, lineEnd)}.
     */
    private static void readObject(JsonParser parser, String parent, FieldValues values, byte[] buf, int lineStart,
            int lineEnd) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            String path = parent == null ? name : parent + '.' + name;
            if (values.format == SourceFormat.FLAT_JSON && isEcsPath(path)) {
                values.format = SourceFormat.ECS_JSON;
            }
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                if (PARENTS.contains(path)) {
                    readObject(parser, path, values, buf, lineStart, lineEnd);
                } else {
                    parser.skipChildren();
                }
            } else if (value == JsonToken.START_ARRAY) {
                if (path.equals(DNS_ANSWERS) || path.equals(DNS_RESOLVED_IP)) {
                    readDnsArray(parser, path, values);
                } else {
                    parser.skipChildren();
                }
            } else if (value != JsonToken.VALUE_NULL) {
                Candidate candidate = CANDIDATES.get(path);
                if (candidate != null && candidate.field() == Field.MESSAGE) {
                    // Left for Jackson to skip; decoded only if a missing field sends us back to it.
                    values.offerUnreadMessage(buf, lineStart + (int) parser.currentTokenLocation().getByteOffset(), lineEnd);
                } else if (candidate != null) {
                    values.offer(candidate.field(), candidate.rank(), parser.getText(), path);
                }
            }
        }
    }

    /**
     * Winlogbeat's sysmon module's {@code dns.answers} (objects of type and data) or
     * {@code dns.resolved_ip} (addresses), rebuilt into Sysmon's QueryResults: answers when given,
     * else the addresses alone.
     */
    private static void readDnsArray(JsonParser parser, String path, FieldValues values) throws IOException {
        List<DnsFields.Answer> answers = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                String type = null;
                String data = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken v = parser.nextToken();
                    if (v.isScalarValue() && v != JsonToken.VALUE_NULL && name.equals("type")) {
                        type = parser.getText();
                    } else if (v.isScalarValue() && v != JsonToken.VALUE_NULL && name.equals("data")) {
                        data = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
                if (data != null) {
                    answers.add(new DnsFields.Answer(type, data));
                }
            } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                ips.add(parser.getText());
            } else {
                parser.skipChildren();
            }
        }
        String rebuilt = path.equals(DNS_ANSWERS) ? DnsFields.queryResults(answers, List.of())
                : DnsFields.queryResults(List.of(), ips);
        // Answers (rank 2) name their types and win over the bare addresses (rank 3).
        values.offer(Field.QUERY_RESULTS, path.equals(DNS_ANSWERS) ? 2 : 3, rebuilt, path);
    }

    private static boolean isEcsPath(String path) {
        if (path.indexOf('.') < 0) {
            return false;
        }
        for (String root : ECS_ROOTS) {
            if (path.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /** nxlog escapes {@code <} and friends in field values ("&lt;Anonymous Pipe&gt;"); its Message it leaves raw. */
    private static void decodeEntitiesIn(FieldValues values) {
        for (Field field : Field.values()) {
            String value = field == Field.MESSAGE ? null : values.get(field);
            if (value != null && value.indexOf('&') >= 0) {
                values.set(field, decodeEntities(value));
            }
        }
    }

    /** Decodes the five XML entities and numeric character references; anything else stays as written. */
    private static String decodeEntities(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        for (int amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', amp + 1)) {
            int semicolon = text.indexOf(';', amp + 1);
            int codePoint = semicolon < 0 || semicolon - amp > 10 ? -1 : entity(text, amp + 1, semicolon);
            if (codePoint >= 0) {
                out.append(text, copied, amp).appendCodePoint(codePoint);
                copied = semicolon + 1;
                amp = semicolon;
            }
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** The character named by text[from, to) (between '&' and ';'), or -1. */
    private static int entity(String text, int from, int to) {
        String name = text.substring(from, to);
        return switch (name) {
            case "lt" -> '<';
            case "gt" -> '>';
            case "amp" -> '&';
            case "quot" -> '"';
            case "apos" -> '\'';
            default -> name.startsWith("#x") || name.startsWith("#X") ? codePoint(name, 2, 16)
                    : name.startsWith("#") ? codePoint(name, 1, 10) : -1;
        };
    }

    /** The character whose number is written in ASCII digits from {@code from}, or -1 for none or no character. */
    private static int codePoint(String digits, int from, int radix) {
        if (from == digits.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < digits.length(); i++) {
            char c = digits.charAt(i);
            int digit = c < 128 ? Character.digit(c, radix) : -1;
            if (digit < 0) {
                return -1;
            }
            value = value * radix + digit;
            if (value > Character.MAX_CODE_POINT) {
                return -1;
            }
        }
        return value == 0 || (value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE) ? -1 : value;
    }
}
