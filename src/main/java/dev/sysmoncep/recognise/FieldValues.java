package dev.sysmoncep.recognise;

import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.util.Arrays;

/**
 * The raw values one line offers for the fields of a {@link SysmonEvent}, before normalisation.
 * A field can have several source names (flat, ECS, XML); each offer carries the rank of its name
 * in the field's candidate list, and the best-ranked present value is kept. Reused line after line.
 */
final class FieldValues {

    enum Field {
        EVENT_ID,
        HOST,
        UTC_TIME,
        /** The record's own timestamp: ECS/OTRF {@code @timestamp}, XML {@code TimeCreated/@SystemTime}. */
        RECORD_TIME,
        PROCESS_GUID,
        PROCESS_ID,
        IMAGE,
        /** Sysmon's {@code User} field. */
        USER,
        ECS_USER_DOMAIN,
        ECS_USER_NAME,
        /** nxlog's account of the record ({@code Domain}, {@code AccountName}). */
        NXLOG_DOMAIN,
        NXLOG_ACCOUNT,
        /** The SID of the record's account (OTRF {@code UserID}, ECS {@code winlog.user.identifier}, XML {@code Security/@UserID}). */
        USER_SID,
        EVENT_TYPE,
        PIPE_NAME,
        /** ECS {@code file.name}: Winlogbeat puts PipeName there, but also file names of other events. */
        ECS_FILE_NAME,
        QUERY_NAME,
        QUERY_STATUS,
        QUERY_RESULTS,
        /** Winlogbeat's sysmon module's {@code sysmon.dns.status}: QueryStatus by its name ({@link DnsFields}). */
        MODULE_DNS_STATUS,
        CHANNEL,
        PROVIDER,
        /** Sysmon's rendered text, from flat JSON. */
        MESSAGE
    }

    /** Keys of Sysmon's rendered Message that can stand in for missing fields. */
    private static final String[] MESSAGE_KEYS = {
        "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "EventType", "PipeName", "QueryName",
        "QueryStatus", "QueryResults"};
    private static final Field[] MESSAGE_FIELDS = {
        Field.UTC_TIME, Field.PROCESS_GUID, Field.PROCESS_ID, Field.IMAGE, Field.USER, Field.EVENT_TYPE,
        Field.PIPE_NAME, Field.QUERY_NAME, Field.QUERY_STATUS, Field.QUERY_RESULTS};

    private final String[] values = new String[Field.values().length];
    private final int[] ranks = new int[values.length];
    /**
     * Where flat JSON's Message value lies, unread: the longest field of a line and seldom needed
     * (only for fields a record lacks), so it is decoded on first {@link #get}.
     */
    private byte[] messageJson;
    private int messageStart;
    private int messageEnd;
    /** The format the line turned out to be, as far as the reader got. */
    SourceFormat format;
    /** A source name the line gives twice with different values, or null. */
    private String duplicate;
    /** Whether a UtcTime was given empty: it is there, and as unreadable as any bad value. */
    private boolean emptyUtcTime;

    void clear() {
        Arrays.fill(values, null);
        messageJson = null;
        format = SourceFormat.UNKNOWN;
        duplicate = null;
        emptyUtcTime = false;
    }

    /**
     * Keeps {@code value} if the field has none yet or only one from a worse-ranked source name.
     * Empty counts as absent, but an empty UtcTime is remembered ({@link #emptyUtcTime()}). The same
     * source name ({@code name}, of the same rank) given again with another value is remembered as a
     * {@link #duplicate()}.
     */
    void offer(Field field, int rank, String value, String name) {
        int i = field.ordinal();
        if (value == null || value.isEmpty()) {
            emptyUtcTime |= value != null && field == Field.UTC_TIME;
            return;
        }
        if (values[i] == null || rank < ranks[i]) {
            values[i] = value;
            ranks[i] = rank;
        } else if (rank == ranks[i] && !value.equals(values[i]) && duplicate == null) {
            duplicate = name;
        }
    }

    /** The rank of the source name whose value the field holds, or -1 when it has none. */
    int rank(Field field) {
        return values[field.ordinal()] == null ? -1 : ranks[field.ordinal()];
    }

    /** Whether the line gave a UtcTime, or its Message a UtcTime line, with nothing in it. */
    boolean emptyUtcTime() {
        return emptyUtcTime;
    }

    /** The source name given twice with different values, if any. */
    String duplicate() {
        return duplicate;
    }

    /**
     * Keeps the place of the JSON value starting at {@code buf[start]} and running at most to
     * {@code end} as the Message, unless one was kept already; an empty string counts as absent.
     */
    void offerUnreadMessage(byte[] buf, int start, int end) {
        boolean emptyString = buf[start] == '"' && start + 1 < end && buf[start + 1] == '"';
        if (messageJson == null && values[Field.MESSAGE.ordinal()] == null && !emptyString) {
            messageJson = buf;
            messageStart = start;
            messageEnd = end;
        }
    }

    String get(Field field) {
        if (field == Field.MESSAGE && messageJson != null) {
            set(field, JsonEventReader.valueText(messageJson, messageStart, messageEnd));
            messageJson = null;
        }
        return values[field.ordinal()];
    }

    /** Replaces the value outright, for normalisation steps that decided it. Empty counts as absent. */
    void set(Field field, String value) {
        values[field.ordinal()] = value == null || value.isEmpty() ? null : value;
    }

    /**
     * Fills fields still missing from the "Key: value" lines of Sysmon's rendered Message, where
     * nxlog dialect A keeps the real EventType and ProcessId.
     */
    void fillMissingFromMessage() {
        String message = get(Field.MESSAGE);
        int length = message.length();
        int lineStart = 0;
        while (lineStart < length) {
            int newline = message.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? length : newline;
            int valueEnd = lineEnd > lineStart && message.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            int colon = message.indexOf(": ", lineStart);
            if (colon > lineStart && colon < valueEnd) {
                Field field = messageField(message, lineStart, colon - lineStart);
                if (field != null && get(field) == null) {
                    String value = message.substring(colon + 2, valueEnd);
                    emptyUtcTime |= value.isEmpty() && field == Field.UTC_TIME;
                    set(field, value);
                }
            }
            lineStart = lineEnd + 1;
        }
    }

    private static Field messageField(String message, int keyStart, int keyLength) {
        for (int i = 0; i < MESSAGE_KEYS.length; i++) {
            String key = MESSAGE_KEYS[i];
            if (key.length() == keyLength && message.startsWith(key, keyStart)) {
                return MESSAGE_FIELDS[i];
            }
        }
        return null;
    }
}
