package dev.sysmoncep.generate;

import com.fasterxml.jackson.core.io.SerializedString;
import java.util.HashSet;
import java.util.Set;

/**
 * What Sysmon (schema 4.90, Sysmon 15) writes for each event id: the order of its EventData fields,
 * its event version, the title of its rendered message, and the names Winlogbeat gives it. The
 * orders follow the real events in {@code job/samples/real} and the Splunk examples.
 */
final class SysmonSchema {

    /** Where the value of one EventData field comes from when an event is rendered. */
    enum Source {
        RULE_NAME, EVENT_TYPE, UTC_TIME, PROCESS_GUID, PROCESS_ID, IMAGE, USER,
        PIPE_NAME, QUERY_NAME, QUERY_STATUS, QUERY_RESULTS,
        /** Not carried by {@code SysmonEvent}: taken from the extra EventData map. */
        EXTRA
    }

    /** The fixed parts of one event id. */
    static final class EventLayout {
        final int eventId;
        final int version;
        /** First line of Sysmon's rendered message, e.g. "Dns query:". */
        final String title;
        /** Winlogbeat's {@code winlog.task}: the task name with its rule name. */
        final String task;
        /** Winlogbeat's {@code event.action}. */
        final String action;
        final String[] categories;
        final String[] types;
        final String[] fields;
        final Source[] sources;
        /** The field names JSON-encoded once, as every line repeats them. */
        final SerializedString[] encodedFields;
        final Set<String> fieldNames;

        private EventLayout(int eventId, int version, String title, String rule, String action,
                String[] categories, String[] types, String... fields) {
            this.eventId = eventId;
            this.version = version;
            this.title = title;
            this.task = title.substring(0, title.length() - 1) + " (rule: " + rule + ")";
            this.action = action;
            this.categories = categories;
            this.types = types;
            this.fields = fields;
            this.sources = new Source[fields.length];
            this.encodedFields = new SerializedString[fields.length];
            for (int i = 0; i < fields.length; i++) {
                sources[i] = sourceOf(fields[i]);
                encodedFields[i] = new SerializedString(fields[i]);
            }
            this.fieldNames = new HashSet<>(Set.of(fields));
        }
    }

    private static final EventLayout[] LAYOUTS = new EventLayout[32];

    static {
        add(new EventLayout(1, 5, "Process Create:", "ProcessCreate", "Process creation",
                cat("process"), cat("start"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "FileVersion", "Description",
                "Product", "Company", "OriginalFileName", "CommandLine", "CurrentDirectory", "User",
                "LogonGuid", "LogonId", "TerminalSessionId", "IntegrityLevel", "Hashes",
                "ParentProcessGuid", "ParentProcessId", "ParentImage", "ParentCommandLine", "ParentUser"));
        add(new EventLayout(3, 5, "Network connection detected:", "NetworkConnect",
                "Network connection detected", cat("network"), cat("connection", "start", "protocol"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol", "Initiated",
                "SourceIsIpv6", "SourceIp", "SourceHostname", "SourcePort", "SourcePortName",
                "DestinationIsIpv6", "DestinationIp", "DestinationHostname", "DestinationPort",
                "DestinationPortName"));
        add(new EventLayout(5, 3, "Process terminated:", "ProcessTerminate", "Process terminated",
                cat("process"), cat("end"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User"));
        add(new EventLayout(7, 3, "Image loaded:", "ImageLoad", "Image loaded",
                cat("process"), cat("change"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "ImageLoaded", "FileVersion",
                "Description", "Product", "Company", "OriginalFileName", "Hashes", "Signed", "Signature",
                "SignatureStatus", "User"));
        // Process access names the accessing process Source*; the event's process is that one.
        add(new EventLayout(10, 3, "Process accessed:", "ProcessAccess", "Process accessed",
                cat("process"), cat("access"),
                "RuleName", "UtcTime", "SourceProcessGUID", "SourceProcessId", "SourceThreadId",
                "SourceImage", "TargetProcessGUID", "TargetProcessId", "TargetImage", "GrantedAccess",
                "CallTrace", "SourceUser", "TargetUser"));
        add(new EventLayout(11, 2, "File created:", "FileCreate", "File created",
                cat("file"), cat("creation"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
                "CreationUtcTime", "User"));
        add(new EventLayout(12, 2, "Registry object added or deleted:", "RegistryEvent",
                "Registry object added or deleted", cat("configuration", "registry"), cat("change"),
                "RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
                "User"));
        add(new EventLayout(13, 2, "Registry value set:", "RegistryEvent", "Registry value set",
                cat("configuration", "registry"), cat("change"),
                "RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
                "Details", "User"));
        add(new EventLayout(17, 1, "Pipe Created:", "PipeEvent", "Pipe Created",
                cat("file"), cat("creation"),
                "RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "PipeName", "Image", "User"));
        add(new EventLayout(18, 1, "Pipe Connected:", "PipeEvent", "Pipe Connected",
                cat("file"), cat("access"),
                "RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "PipeName", "Image", "User"));
        add(new EventLayout(22, 5, "Dns query:", "DnsQuery", "Dns query",
                cat("network"), cat("connection", "protocol", "info"),
                "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus",
                "QueryResults", "Image", "User"));
    }

    private SysmonSchema() {}

    /** The layout of an event id; ids not modelled here get the fields every Sysmon event shares. */
    static EventLayout layout(int eventId) {
        EventLayout known = eventId >= 0 && eventId < LAYOUTS.length ? LAYOUTS[eventId] : null;
        if (known != null) {
            return known;
        }
        return new EventLayout(eventId, 1, "Sysmon event " + eventId + ":", "Event" + eventId,
                "Sysmon event " + eventId, cat("host"), cat("info"),
                "RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User");
    }

    private static void add(EventLayout layout) {
        LAYOUTS[layout.eventId] = layout;
    }

    private static String[] cat(String... values) {
        return values;
    }

    private static Source sourceOf(String field) {
        return switch (field) {
            case "RuleName" -> Source.RULE_NAME;
            case "EventType" -> Source.EVENT_TYPE;
            case "UtcTime" -> Source.UTC_TIME;
            case "ProcessGuid", "SourceProcessGUID" -> Source.PROCESS_GUID;
            case "ProcessId", "SourceProcessId" -> Source.PROCESS_ID;
            case "Image", "SourceImage" -> Source.IMAGE;
            case "User", "SourceUser" -> Source.USER;
            case "PipeName" -> Source.PIPE_NAME;
            case "QueryName" -> Source.QUERY_NAME;
            case "QueryStatus" -> Source.QUERY_STATUS;
            case "QueryResults" -> Source.QUERY_RESULTS;
            default -> Source.EXTRA;
        };
    }
}
