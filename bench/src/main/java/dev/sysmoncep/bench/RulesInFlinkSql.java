package dev.sysmoncep.bench;

import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.records.SysmonField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The bundled rules as a detection engineer writes them in Flink SQL: a filesystem table of flat
 * Sysmon JSON (OTRF's field names), each event rule a {@code WHERE} clause compared by lower case
 * as Splunk compares, its alerts a tumbling window per rule and group, and the sequence a
 * {@code MATCH_RECOGNIZE} per process. The patterns, groups and windows are rendered from the
 * {@link RuleSet}, so the rule facts stay in the rule file.
 */
final class RulesInFlinkSql {
    static final String EVENTS = "sysmon";

    private final RuleSet rules;

    RulesInFlinkSql(RuleSet rules) {
        this.rules = rules;
    }

    /**
     * The table over a directory of JSON lines: the fields the rules need, under their OTRF names,
     * and computed columns for what the job normalises (host, process name, EventType derived from
     * the event id, keys without case or braces). Event time is Sysmon's UtcTime, else the record's
     * {@code @timestamp}; a line with neither falls to 1970 rather than failing the window.
     */
    String eventsTable(String directory, Duration outOfOrderness) {
        return "CREATE TEMPORARY TABLE " + EVENTS + " (\n"
                + "  EventID INT,\n"
                + "  Hostname STRING,\n"
                + "  Computer STRING,\n"
                + "  UtcTime STRING,\n"
                + "  `@timestamp` STRING,\n"
                + "  Image STRING,\n"
                + "  ProcessGuid STRING,\n"
                + "  ProcessId STRING,\n"
                + "  `User` STRING,\n"
                + "  EventType STRING,\n"
                + "  PipeName STRING,\n"
                + "  QueryName STRING,\n"
                + "  QueryStatus STRING,\n"
                + "  QueryResults STRING,\n"
                + "  host AS COALESCE(Hostname, Computer),\n"
                + "  process_name AS REGEXP_EXTRACT(Image, '[^\\\\/]*$', 0),\n"
                + "  event_type AS CASE WHEN EventType IS NULL OR UPPER(EventType) = 'INFO'\n"
                + "    THEN CASE EventID WHEN 17 THEN 'CreatePipe' WHEN 18 THEN 'ConnectPipe' END ELSE EventType END,\n"
                + "  process_key AS LOWER(REPLACE(REPLACE(ProcessGuid, '{', ''), '}', '')),\n"
                + "  event_time AS COALESCE(TO_TIMESTAMP(UtcTime, 'yyyy-MM-dd HH:mm:ss.SSS'),\n"
                + "    TO_TIMESTAMP(REPLACE(REPLACE(`@timestamp`, 'T', ' '), 'Z', ''), 'yyyy-MM-dd HH:mm:ss.SSS'),\n"
                + "    TIMESTAMP '1970-01-01 00:00:00'),\n"
                + "  WATERMARK FOR event_time AS event_time - " + interval(outOfOrderness) + "\n"
                + ") WITH (\n"
                + "  'connector' = 'filesystem',\n"
                + "  'path' = '" + literal(directory) + "',\n"
                + "  'format' = 'json',\n"
                + "  'json.ignore-parse-errors' = 'true',\n"
                + "  'json.fail-on-missing-field' = 'false'\n"
                + ")";
    }

    /** The views the alerts query reads besides the events table: each sequence's matches. */
    List<String> views() {
        return rules.sequences().stream().map(this::sequenceMatches).toList();
    }

    private static String matchesView(SequenceRule sequence) {
        return "sequence_matches_" + sequence.id().replace('-', '_');
    }

    /**
     * Every alert as one row {@code (rule_id, host, process, window_start, events)}: each event
     * rule's matches counted per group and tumbling suppression window, and each sequence's matches
     * per process and tumbling sequence window.
     */
    String alerts() {
        List<String> parts = new ArrayList<>();
        for (EventRule rule : rules.eventRules()) {
            parts.add(eventRuleAlerts(rule));
        }
        for (SequenceRule sequence : rules.sequences()) {
            parts.add(sequenceAlerts(sequence));
        }
        return String.join("\nUNION ALL\n", parts);
    }

    private String eventRuleAlerts(EventRule rule) {
        List<String> keys = rule.definition().groupBy.stream().map(f -> key(SysmonField.byRuleName(f))).toList();
        return "SELECT '" + rule.id() + "' AS rule_id, MIN(host) AS host, MIN(ProcessGuid) AS process, window_start, "
                + "COUNT(*) AS events\n"
                + "FROM TABLE(TUMBLE(TABLE " + EVENTS + ", DESCRIPTOR(event_time), " + interval(rules.suppressionWindow())
                + "))\n"
                + "WHERE " + condition(rule) + "\n"
                + "GROUP BY window_start, window_end, " + String.join(", ", keys);
    }

    /**
     * A sequence of two rules as two adjacent findings of one process, of different rules and within
     * the sequence window: over a process's findings in time order, the closest pair of different
     * rules is always adjacent, so this finds either order (Flink's MATCH_RECOGNIZE has no
     * alternation).
     */
    private String sequenceMatches(SequenceRule sequence) {
        if (sequence.parts().size() != 2) {
            throw new IllegalArgumentException("sequence " + sequence.id() + " has " + sequence.parts().size()
                    + " parts; the Flink SQL baseline renders sequences of two");
        }
        String first = sequence.parts().get(0);
        String second = sequence.parts().get(1);
        String findings = "SELECT host, LOWER(host) AS host_key, ProcessGuid, process_key, event_time, CASE WHEN "
                + condition(rules.eventRule(first)) + " THEN '" + first + "' ELSE '" + second + "' END AS part\n"
                + "  FROM " + EVENTS + "\n"
                + "  WHERE (" + condition(rules.eventRule(first)) + ") OR (" + condition(rules.eventRule(second)) + ")";
        return "CREATE TEMPORARY VIEW " + matchesView(sequence) + " AS\nSELECT * FROM (" + findings + ")\n"
                + "MATCH_RECOGNIZE (\n"
                + "  PARTITION BY host_key, process_key\n"
                + "  ORDER BY event_time\n"
                + "  MEASURES FIRST(F.host) AS host, FIRST(F.ProcessGuid) AS process, MATCH_ROWTIME() AS match_time\n"
                + "  ONE ROW PER MATCH\n"
                + "  AFTER MATCH SKIP PAST LAST ROW\n"
                + "  PATTERN (F S) WITHIN " + interval(rules.sequenceWindow()) + "\n"
                + "  DEFINE S AS S.part <> F.part\n"
                + ")";
    }

    /** A sequence's matches counted per process and tumbling sequence window. */
    private String sequenceAlerts(SequenceRule sequence) {
        return "SELECT '" + sequence.id() + "' AS rule_id, MIN(host) AS host, MIN(process) AS process, window_start, "
                + "COUNT(*) AS events\n"
                + "FROM TABLE(TUMBLE(TABLE " + matchesView(sequence) + ", DESCRIPTOR(match_time), "
                + interval(rules.sequenceWindow()) + "))\n"
                + "GROUP BY window_start, window_end, host_key, process_key";
    }

    /** Every field condition holds; within one, any of its patterns. */
    String condition(EventRule rule) {
        List<String> all = new ArrayList<>();
        for (Map.Entry<String, ArrayList<String>> match : rule.definition().match.entrySet()) {
            SysmonField field = SysmonField.byRuleName(match.getKey());
            if (field == SysmonField.EVENT_CODE && match.getValue().stream().allMatch(v -> v.matches("[0-9]+"))) {
                all.add("EventID IN (" + String.join(", ", match.getValue()) + ")");
                continue;
            }
            String column = "LOWER(" + column(field) + ")";
            all.add(match.getValue().stream().map(p -> like(column, p)).collect(Collectors.joining(" OR ", "(", ")")));
        }
        return String.join(" AND ", all);
    }

    /** A Splunk value as LIKE: {@code *} is {@code %}, SQL's own wildcards and the escape taken literally. */
    private static String like(String column, String pattern) {
        String lower = pattern.toLowerCase(Locale.ROOT);
        if (lower.indexOf('*') < 0) {
            return column + " = '" + literal(lower) + "'";
        }
        StringBuilder s = new StringBuilder();
        for (char c : lower.toCharArray()) {
            switch (c) {
                case '*' -> s.append('%');
                case '%', '_', '!' -> s.append('!').append(c);
                default -> s.append(c);
            }
        }
        return column + " LIKE '" + literal(s.toString()) + "' ESCAPE '!'";
    }

    private static String column(SysmonField field) {
        return switch (field) {
            case HOST -> "host";
            case EVENT_CODE -> "CAST(EventID AS STRING)";
            case PROCESS_GUID -> "ProcessGuid";
            case PROCESS_ID -> "ProcessId";
            case IMAGE -> "Image";
            case PROCESS_NAME -> "process_name";
            case USER -> "`User`";
            case EVENT_TYPE -> "event_type";
            case PIPE_NAME -> "PipeName";
            case QUERY_NAME -> "QueryName";
            case QUERY_STATUS -> "QueryStatus";
            case QUERY_RESULTS -> "QueryResults";
        };
    }

    /** A group field as the job keys it: by lower case, ProcessGuid without braces. */
    private static String key(SysmonField field) {
        return field == SysmonField.PROCESS_GUID ? "process_key" : "LOWER(" + column(field) + ")";
    }

    /** A duration as a day-to-second interval literal, whole seconds. */
    private static String interval(Duration d) {
        long s = d.toSeconds();
        return String.format(Locale.ROOT, "INTERVAL '%d %02d:%02d:%02d' DAY TO SECOND", s / 86_400, s / 3600 % 24,
                s / 60 % 60, s % 60);
    }

    private static String literal(String s) {
        return s.replace("'", "''");
    }
}
