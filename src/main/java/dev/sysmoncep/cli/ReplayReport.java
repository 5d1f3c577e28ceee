package dev.sysmoncep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.JobCounters;
import dev.sysmoncep.alert.AlertEnricher.Severity;
import dev.sysmoncep.detect.RuleDefinition;
import dev.sysmoncep.recognise.SourceFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The end-of-run report, as an analyst reads it before opening any JSON: what was read, what was
 * refused and why, the alerts per rule with risk and MITRE technique, the hosts they concern, each
 * sequence alert with its process, pipes and lookups, and how long it all took. Counts come from
 * the job's accumulators; the alert details from the alert file, which is small. On a cluster the
 * alert file lies on a task manager's disk, and an alert file on another file system (s3://,
 * hdfs://) is not read back either; then the report gives the accumulators' counts alone.
 */
final class ReplayReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOP_HOSTS = 10;
    private static final int TOP_REASONS = 5;
    private static final int SEQUENCES_IN_TEXT = 20;
    private static final int REASON_WIDTH = 100;
    private static final Map<SourceFormat, String> FORMAT_NAMES = Map.of(
            SourceFormat.XML, "XML", SourceFormat.FLAT_JSON, "flat JSON", SourceFormat.ECS_JSON, "ECS JSON");

    /** An alert as the report uses it, read from one line of the alert file. */
    record AlertLine(String ruleId, String host, String processGuid, String pid, List<String> pipeNames,
                     List<String> queryNames, Instant first, Instant last, long count) {

        static AlertLine of(JsonNode a) {
            JsonNode pid = a.at("/process/pid");
            return new AlertLine(a.at("/rule/id").asText(), a.at("/host/name").asText(""),
                    a.at("/process/entity_id").asText(""),
                    pid.isMissingNode() ? a.at("/winlog/event_data/ProcessId").asText("") : pid.asText(),
                    texts(a.at("/sysmon_cep/pipe_names")), texts(a.at("/sysmon_cep/query_names")),
                    Instant.parse(a.at("/event/start").asText()), Instant.parse(a.at("/event/end").asText()),
                    a.at("/event/count").asLong());
        }

        private static List<String> texts(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }

    private final RunSummary summary;
    private final Location alertFile;
    private final Location deadLetterFile;
    /** Null when the alert file is not on this machine. */
    private final List<AlertLine> alerts;

    private ReplayReport(RunSummary summary, Location alertFile, Location deadLetterFile, List<AlertLine> alerts) {
        this.summary = summary;
        this.alertFile = alertFile;
        this.deadLetterFile = deadLetterFile;
        this.alerts = alerts;
    }

    static ReplayReport of(RunSummary summary, Location alertFile, Location deadLetterFile) throws IOException {
        boolean here = alertFile.isLocal() && Files.exists(alertFile.local());
        return new ReplayReport(summary, alertFile, deadLetterFile, here ? read(alertFile.local()) : null);
    }

    private static List<AlertLine> read(Path file) throws IOException {
        List<AlertLine> lines = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(AlertLine.of(JSON.readTree(line)));
            }
        }
        return lines;
    }

    private List<RuleDefinition> rules() {
        List<RuleDefinition> all = new ArrayList<>();
        summary.rules().eventRules().forEach(r -> all.add(r.definition()));
        summary.rules().sequences().forEach(r -> all.add(r.definition()));
        return all;
    }

    private long alertsOf(String ruleId) {
        return alerts == null ? summary.count(JobCounters.ALERTS_PREFIX + ruleId)
                : alerts.stream().filter(a -> a.ruleId().equals(ruleId)).count();
    }

    private long alertTotal() {
        return alerts == null ? summary.count(JobCounters.ALERTS) : alerts.size();
    }

    private List<Map.Entry<String, Long>> topHosts() {
        Map<String, Long> perHost = alerts.stream().collect(Collectors.groupingBy(AlertLine::host, Collectors.counting()));
        return perHost.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_HOSTS)
                .toList();
    }

    private List<Map.Entry<String, Long>> reasons() {
        return summary.deadLetterReasons().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList();
    }

    private List<AlertLine> sequenceAlerts(String ruleId) {
        return alerts.stream().filter(a -> a.ruleId().equals(ruleId))
                .sorted(Comparator.comparing(AlertLine::first).thenComparing(AlertLine::host).thenComparing(AlertLine::processGuid))
                .toList();
    }

    private static Instant first(List<AlertLine> lines) {
        return lines.stream().map(AlertLine::first).min(Comparator.naturalOrder()).orElse(null);
    }

    private static Instant last(List<AlertLine> lines) {
        return lines.stream().map(AlertLine::last).max(Comparator.naturalOrder()).orElse(null);
    }

    /** The most specific techniques: a sub-technique stands for its parent. */
    private static List<String> techniques(RuleDefinition rule) {
        Set<String> parents = rule.techniques.stream().map(t -> t.parent).filter(p -> p != null).collect(Collectors.toSet());
        return rule.techniques.stream().map(t -> t.id).filter(id -> !parents.contains(id)).toList();
    }

    ObjectNode json() {
        ObjectNode r = JSON.createObjectNode();
        r.put("status", "finished");
        r.put("wall_time_seconds", seconds(summary.wallTime()));
        r.put("job_time_seconds", seconds(summary.jobTime()));
        ObjectNode input = r.putObject("input");
        if (summary.sized()) {
            input.put("files", summary.files());
            input.put("bytes", summary.bytes());
        } else {
            input.putNull("files");
            input.putNull("bytes");
        }
        input.put("lines_read", summary.count(JobCounters.LINES_READ));
        input.put("lines_per_second", Math.round(summary.linesPerSecond()));
        if (summary.sized()) {
            input.put("bytes_per_second", Math.round(summary.bytesPerSecond()));
        } else {
            input.putNull("bytes_per_second");
        }
        ObjectNode events = r.putObject("events");
        events.put("recognised", summary.count(JobCounters.EVENTS_PARSED));
        ObjectNode byFormat = events.putObject("by_format");
        for (SourceFormat f : FORMAT_NAMES.keySet().stream().sorted().toList()) {
            byFormat.put(f.name(), summary.count(JobCounters.EVENTS_PARSED_PREFIX + f.name()));
        }
        events.put("not_sysmon_skipped", summary.count(JobCounters.NOT_SYSMON));
        events.put("unmatchable_lines_skipped_unparsed", summary.count(JobCounters.NOT_CANDIDATES));
        events.put("late", summary.count(JobCounters.LATE_EVENTS));
        events.put("matched_by_a_rule", summary.count(JobCounters.EVENTS_MATCHED));
        ObjectNode dead = r.putObject("dead_lettered");
        dead.put("total", summary.count(JobCounters.DEAD_LETTERED));
        putPath(dead, "file", deadLetterFile);
        ArrayNode reasons = dead.putArray("reasons");
        reasons().forEach(e -> reasons.addObject().put("reason", e.getKey()).put("count", e.getValue()));

        ObjectNode a = r.putObject("alerts");
        a.put("total", alertTotal());
        putPath(a, "file", alertFile);
        a.put("details_available", alerts != null);
        ArrayNode byRule = a.putArray("by_rule");
        for (RuleDefinition rule : rules()) {
            ObjectNode row = byRule.addObject();
            row.put("id", rule.id);
            row.put("name", rule.name);
            row.put("type", rule.type);
            row.put("risk_score", rule.riskScore);
            row.put("severity", Severity.of(rule.riskScore).label());
            techniques(rule).forEach(row.putArray("techniques")::add);
            row.put("alerts", alertsOf(rule.id));
            if (alerts != null) {
                List<AlertLine> ofRule = alerts.stream().filter(l -> l.ruleId().equals(rule.id)).toList();
                putInstant(row, "first_hit", first(ofRule));
                putInstant(row, "last_hit", last(ofRule));
            }
        }
        if (alerts != null) {
            putInstant(a, "first_hit", first(alerts));
            putInstant(a, "last_hit", last(alerts));
            ArrayNode hosts = a.putArray("top_hosts");
            topHosts().forEach(e -> hosts.addObject().put("host", e.getKey()).put("alerts", e.getValue()));
            ArrayNode sequences = a.putArray("sequences");
            for (var sequence : summary.rules().sequences()) {
                for (AlertLine s : sequenceAlerts(sequence.id())) {
                    ObjectNode row = sequences.addObject();
                    row.put("rule_id", s.ruleId());
                    row.put("host", s.host());
                    ObjectNode process = row.putObject("process").put("entity_id", s.processGuid());
                    if (s.pid().matches("[0-9]+")) {
                        process.put("pid", Long.parseLong(s.pid()));
                    } else {
                        process.put("pid", s.pid());
                    }
                    s.pipeNames().forEach(row.putArray("pipe_names")::add);
                    s.queryNames().forEach(row.putArray("query_names")::add);
                    putInstant(row, "first_hit", s.first());
                    putInstant(row, "last_hit", s.last());
                    row.put("count", s.count());
                }
            }
        }
        return r;
    }

    String text() {
        StringBuilder t = new StringBuilder();
        long lines = summary.count(JobCounters.LINES_READ);
        long sequenceTotal = summary.rules().sequences().stream().mapToLong(s -> alertsOf(s.id())).sum();
        t.append(String.format(Locale.ROOT, "sysmon-cep replay: %s alert%s%s from %s lines in %s%n%n",
                Human.count(alertTotal()), alertTotal() == 1 ? "" : "s",
                sequenceTotal == 0 ? "" : " (" + Human.count(sequenceTotal) + " sequence)",
                Human.count(lines), Human.elapsed(summary.wallTime())));

        if (summary.sized()) {
            t.append(String.format(Locale.ROOT, "Input: %d file%s, %s%n", summary.files(), summary.files() == 1 ? "" : "s",
                    Human.bytes(summary.bytes())));
        } else {
            t.append(String.format(Locale.ROOT, "Input: files and size not known here (an input on another file system)%n"));
        }
        row(t, "lines read", lines, null);
        List<String> formats = new ArrayList<>();
        for (SourceFormat f : FORMAT_NAMES.keySet().stream().sorted().toList()) {
            long n = summary.count(JobCounters.EVENTS_PARSED_PREFIX + f.name());
            if (n > 0) {
                formats.add(FORMAT_NAMES.get(f) + " " + Human.count(n));
            }
        }
        row(t, "Sysmon events", summary.count(JobCounters.EVENTS_PARSED), String.join(", ", formats));
        row(t, "not Sysmon, skipped", summary.count(JobCounters.NOT_SYSMON), null);
        if (summary.count(JobCounters.NOT_CANDIDATES) > 0) {
            row(t, "unmatchable, unparsed", summary.count(JobCounters.NOT_CANDIDATES), "--skip-unmatchable-lines");
        }
        row(t, "dead-lettered", summary.count(JobCounters.DEAD_LETTERED),
                deadLetterFile == null ? "(no --dead-letter file)" : "-> " + deadLetterFile);
        List<Map.Entry<String, Long>> reasons = reasons();
        reasons.stream().limit(TOP_REASONS).forEach(e -> t.append(String.format(Locale.ROOT, "      %10s  %s%n",
                Human.count(e.getValue()), shorten(e.getKey()))));
        if (reasons.size() > TOP_REASONS) {
            t.append(String.format(Locale.ROOT, "      %10s  (%d more kinds of reason)%n", "",
                    reasons.size() - TOP_REASONS));
        }
        row(t, "late events", summary.count(JobCounters.LATE_EVENTS), null);
        row(t, "matched by a rule", summary.count(JobCounters.EVENTS_MATCHED), null);
        t.append(System.lineSeparator());

        t.append(String.format(Locale.ROOT, "Alerts: %s  -> %s%n", Human.count(alertTotal()), alertFile));
        List<RuleDefinition> rules = rules();
        int nameWidth = rules.stream().mapToInt(r -> r.name.length()).max().orElse(4);
        t.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %6s  %4s  %-8s  %s%n", "rule", "alerts", "risk",
                "severity", "MITRE ATT&CK"));
        for (RuleDefinition rule : rules) {
            t.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %6s  %4d  %-8s  %s%n", rule.name,
                    Human.count(alertsOf(rule.id)), rule.riskScore, Severity.of(rule.riskScore).label(),
                    String.join(", ", techniques(rule))));
        }
        if (alerts == null) {
            t.append(alertFile.isLocal() ? "  (the alert file is not on this machine: no hosts, sequences or times)"
                    : "  (the alert file is on " + alertFile.fileSystem() + ", not read back here: no hosts, sequences or times)")
                    .append(System.lineSeparator());
        } else if (!alerts.isEmpty()) {
            t.append(String.format(Locale.ROOT, "  first hit %s, last hit %s%n", first(alerts), last(alerts)));
            t.append(System.lineSeparator()).append("Top hosts").append(System.lineSeparator());
            for (Map.Entry<String, Long> host : topHosts()) {
                t.append(String.format(Locale.ROOT, "  %6s  %s%n", Human.count(host.getValue()),
                        host.getKey().isEmpty() ? "(no host)" : host.getKey()));
            }
            for (var sequence : summary.rules().sequences()) {
                sequenceText(t, sequence.definition(), sequenceAlerts(sequence.id()));
            }
        }
        t.append(System.lineSeparator());
        t.append(String.format(Locale.ROOT, "Wall time %s, of which the job %s: %s lines/s%s%n",
                Human.elapsed(summary.wallTime()), Human.elapsed(summary.jobTime()),
                Human.perSecond(summary.linesPerSecond()),
                summary.sized() ? ", " + Human.bytes(Math.round(summary.bytesPerSecond())) + "/s" : ""));
        return t.toString();
    }

    private static void sequenceText(StringBuilder t, RuleDefinition rule, List<AlertLine> found) {
        if (found.isEmpty()) {
            return;
        }
        t.append(System.lineSeparator()).append("Sequence alerts: ").append(rule.name).append(System.lineSeparator());
        for (AlertLine s : found.subList(0, Math.min(found.size(), SEQUENCES_IN_TEXT))) {
            t.append(String.format(Locale.ROOT, "  %s  pid %s  %s%n", s.host(), s.pid(), s.processGuid()));
            t.append(String.format(Locale.ROOT, "      %s .. %s%n", s.first(), s.last()));
            t.append(String.format(Locale.ROOT, "      pipes    %s%n", String.join(", ", s.pipeNames())));
            t.append(String.format(Locale.ROOT, "      queries  %s%n", String.join(", ", s.queryNames())));
        }
        if (found.size() > SEQUENCES_IN_TEXT) {
            t.append(String.format(Locale.ROOT, "  ... and %d more in the alert file (rule.id %s)%n",
                    found.size() - SEQUENCES_IN_TEXT, rule.id));
        }
    }

    private static void row(StringBuilder t, String label, long n, String note) {
        t.append(String.format(Locale.ROOT, "  %-22s %12s%s%n", label, Human.count(n),
                note == null || note.isEmpty() ? "" : "   " + note));
    }

    private static String shorten(String reason) {
        return reason.length() <= REASON_WIDTH ? reason : reason.substring(0, REASON_WIDTH - 3) + "...";
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static void putPath(ObjectNode node, String field, Location path) {
        if (path == null) {
            node.putNull(field);
        } else {
            node.put(field, path.toString());
        }
    }

    private static void putInstant(ObjectNode node, String field, Instant t) {
        if (t == null) {
            node.putNull(field);
        } else {
            node.put(field, t.toString());
        }
    }
}
