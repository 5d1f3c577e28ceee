package dev.sysmoncep.records;

import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The normalised Sysmon fields a rule can match on or group by, under the names detection
 * engineers know from Splunk and Sysmon.
 */
public enum SysmonField {
    HOST("host", e -> e.host),
    EVENT_CODE("EventCode", e -> Integer.toString(e.eventId)),
    PROCESS_GUID("ProcessGuid", e -> e.processGuid),
    PROCESS_ID("ProcessId", e -> e.processId),
    IMAGE("Image", e -> e.image),
    PROCESS_NAME("process_name", SysmonEvent::processName),
    USER("User", e -> e.user),
    EVENT_TYPE("EventType", e -> e.eventType),
    PIPE_NAME("PipeName", e -> e.pipeName),
    QUERY_NAME("QueryName", e -> e.queryName),
    QUERY_STATUS("QueryStatus", e -> e.queryStatus),
    QUERY_RESULTS("QueryResults", e -> e.queryResults);

    /** A {@code $field$} in a rule's message, Splunk's way of naming a field to fill in. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\$([A-Za-z_]+)\\$");

    private final String ruleName;
    private final Function<SysmonEvent, String> getter;

    SysmonField(String ruleName, Function<SysmonEvent, String> getter) {
        this.ruleName = ruleName;
        this.getter = getter;
    }

    public String ruleName() {
        return ruleName;
    }

    public String valueOf(SysmonEvent event) {
        return getter.apply(event);
    }

    /**
     * The value as grouping compares it: case-insensitive, ProcessGuid without braces, a well-known
     * account's SID as its name.
     */
    public String keyOf(SysmonEvent event) {
        return switch (this) {
            case PROCESS_GUID -> SysmonEvent.guidKey(event.processGuid);
            case USER -> SysmonEvent.userKey(event.user);
            default -> SysmonEvent.keyOf(valueOf(event));
        };
    }

    /** Looks a field up by its name in the rule file, ignoring case ({@code dest} is the host). */
    public static SysmonField byRuleName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("dest") || n.equals("computer")) {
            return HOST;
        }
        for (SysmonField f : values()) {
            if (f.ruleName.toLowerCase(Locale.ROOT).equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown Sysmon field '" + name + "' (known: host, EventCode, ProcessGuid, "
                + "ProcessId, Image, process_name, User, EventType, PipeName, QueryName, QueryStatus, QueryResults)");
    }
}
