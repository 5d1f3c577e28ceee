package dev.sysmoncep.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sysmoncep.alert.AlertTally.RuleTotals;
import dev.sysmoncep.alert.AlertTally.SequenceAlert;
import dev.sysmoncep.alert.AlertTally;
import dev.sysmoncep.detect.RuleDefinition;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.Severity;
import dev.sysmoncep.records.SourceFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The end-of-run report, as an analyst reads it before opening any JSON: what was read, what was
 * refused and why, the alerts per rule with risk and MITRE technique, the hosts they concern, each
 * sequence alert with its process, pipes and lookups, and how long it all took. One model, built
 * from the job's counts and the {@link AlertTally} of its alerts, rendered as text or as JSON
 * (Jackson writes the model as it stands, field names in snake_case).
 */
record ReplayReport(String status, double wallTimeSeconds, double jobTimeSeconds, Input input, Events events,
                    DeadLettered deadLettered, Alerts alerts) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final int TOP_HOSTS = 10;
    private static final int TOP_REASONS = 5;
    private static final int SEQUENCES_IN_TEXT = 20;
    private static final int REASON_WIDTH = 100;
    private static final Map<SourceFormat, String> FORMAT_NAMES = Map.of(
            SourceFormat.XML, "XML", SourceFormat.FLAT_JSON, "flat JSON", SourceFormat.ECS_JSON, "ECS JSON");

    /** Files and bytes are null when an input lies on another file system and was not sized. */
    record Input(Integer files, Long bytes, long linesRead, long linesPerSecond, Long bytesPerSecond) {}

    record Events(long recognised, Map<String, Long> byFormat, long notSysmonSkipped, long blankLines,
                  long unmatchableLinesSkippedUnparsed, long late, @JsonProperty("matched_by_a_rule") long matchedByARule) {}

    record DeadLettered(long total, String file, List<Reason> reasons) {}

    record Reason(String reason, long count) {}

    record Alerts(long total, String file, boolean detailsAvailable, List<RuleRow> byRule, String firstHit,
                  String lastHit, List<HostRow> topHosts, List<Sequence> sequences, long sequencesNotListed) {}

    record RuleRow(String id, String name, String type, int riskScore, String severity, List<String> techniques,
                   long alerts, String firstHit, String lastHit) {}

    record HostRow(String host, long alerts) {}

    record Sequence(String ruleId, String host, Process process, List<String> pipeNames, List<String> queryNames,
                    String firstHit, String lastHit, long count) {}

    /** The pid as a number where it is one, else as the source wrote it. */
    record Process(String entityId, Object pid) {}

    static ReplayReport of(RunSummary summary, Location alertFile, Location deadLetterFile) {
        long lines = summary.count(JobCounters.LINES_READ);
        Input input = new Input(summary.sized() ? summary.files() : null, summary.sized() ? summary.bytes() : null,
                lines, Math.round(summary.linesPerSecond()),
                summary.sized() ? Math.round(summary.bytesPerSecond()) : null);
        Map<String, Long> byFormat = new LinkedHashMap<>();
        FORMAT_NAMES.keySet().stream().sorted().forEach(f ->
                byFormat.put(f.name(), summary.count(JobCounters.EVENTS_PARSED_PREFIX + f.name())));
        Events events = new Events(summary.count(JobCounters.EVENTS_PARSED), byFormat,
                summary.count(JobCounters.NOT_SYSMON), summary.count(JobCounters.BLANK_LINES),
                summary.count(JobCounters.NOT_CANDIDATES),
                summary.count(JobCounters.LATE_EVENTS), summary.count(JobCounters.EVENTS_MATCHED));
        List<Reason> reasons = summary.deadLetterReasons().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> new Reason(e.getKey(), e.getValue()))
                .toList();
        DeadLettered dead = new DeadLettered(summary.count(JobCounters.DEAD_LETTERED), text(deadLetterFile), reasons);
        return new ReplayReport("finished", seconds(summary.wallTime()), seconds(summary.jobTime()), input, events, dead,
                alerts(summary, alertFile));
    }

    private static Alerts alerts(RunSummary summary, Location alertFile) {
        AlertTally.Totals tally = summary.alertTally();
        List<RuleRow> byRule = new ArrayList<>();
        for (RuleDefinition rule : rules(summary)) {
            RuleTotals t = tally == null ? null : tally.byRule().get(rule.id);
            byRule.add(new RuleRow(rule.id, rule.name, rule.type, rule.riskScore, Severity.of(rule.riskScore).label(),
                    techniques(rule), t != null ? t.alerts() : summary.count(JobCounters.ALERTS_PREFIX + rule.id),
                    t == null ? null : instant(t.firstHit()), t == null ? null : instant(t.lastHit())));
        }
        if (tally == null) {
            return new Alerts(summary.count(JobCounters.ALERTS), text(alertFile), false, byRule, null, null, List.of(),
                    List.of(), 0);
        }
        long total = tally.byRule().values().stream().mapToLong(RuleTotals::alerts).sum();
        String first = tally.byRule().values().stream().map(RuleTotals::firstHit).min(Long::compare)
                .map(ReplayReport::instant).orElse(null);
        String last = tally.byRule().values().stream().map(RuleTotals::lastHit).max(Long::compare)
                .map(ReplayReport::instant).orElse(null);
        List<HostRow> hosts = tally.byHost().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_HOSTS)
                .map(e -> new HostRow(e.getKey(), e.getValue()))
                .toList();
        List<Sequence> sequences = tally.sequences().stream().map(ReplayReport::sequence).toList();
        return new Alerts(total, text(alertFile), true, byRule, first, last, hosts, sequences,
                tally.sequencesSeen() - sequences.size());
    }

    private static Sequence sequence(SequenceAlert s) {
        Object pid = s.processId().matches("[0-9]{1,18}") ? (Object) Long.parseLong(s.processId()) : s.processId();
        return new Sequence(s.ruleId(), s.host(), new Process(s.processGuid(), pid), s.pipeNames(), s.queryNames(),
                instant(s.firstHit()), instant(s.lastHit()), s.count());
    }

    private static List<RuleDefinition> rules(RunSummary summary) {
        List<RuleDefinition> all = new ArrayList<>();
        summary.rules().eventRules().forEach(r -> all.add(r.definition()));
        summary.rules().sequences().forEach(r -> all.add(r.definition()));
        return all;
    }

    /** The most specific techniques: a sub-technique stands for its parent. */
    private static List<String> techniques(RuleDefinition rule) {
        Set<String> parents = rule.techniques.stream().map(t -> t.parent).filter(p -> p != null).collect(Collectors.toSet());
        return rule.techniques.stream().map(t -> t.id).filter(id -> !parents.contains(id)).toList();
    }

    String json() {
        try {
            return JSON.writeValueAsString(this) + System.lineSeparator();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the report does not write as JSON", e);
        }
    }

    String text() {
        StringBuilder t = new StringBuilder();
        long sequenceTotal = alerts.sequences().size() + alerts.sequencesNotListed();
        t.append(String.format(Locale.ROOT, "sysmon-cep replay: %s alert%s%s from %s lines in %s%n%n",
                Human.count(alerts.total()), alerts.total() == 1 ? "" : "s",
                sequenceTotal == 0 ? "" : " (" + Human.count(sequenceTotal) + " sequence)",
                Human.count(input.linesRead()), Human.elapsed(duration(wallTimeSeconds))));

        if (input.files() != null) {
            t.append(String.format(Locale.ROOT, "Input: %d file%s, %s%n", input.files(), input.files() == 1 ? "" : "s",
                    Human.bytes(input.bytes())));
        } else {
            t.append(String.format(Locale.ROOT, "Input: files and size not known here (an input on another file system)%n"));
        }
        row(t, "lines read", input.linesRead(), null);
        List<String> formats = new ArrayList<>();
        events.byFormat().forEach((format, n) -> {
            if (n > 0) {
                formats.add(FORMAT_NAMES.get(SourceFormat.valueOf(format)) + " " + Human.count(n));
            }
        });
        row(t, "Sysmon events", events.recognised(), String.join(", ", formats));
        row(t, "not Sysmon, skipped", events.notSysmonSkipped(), null);
        if (events.blankLines() > 0) {
            row(t, "blank lines", events.blankLines(), null);
        }
        if (events.unmatchableLinesSkippedUnparsed() > 0) {
            row(t, "unmatchable, unparsed", events.unmatchableLinesSkippedUnparsed(), "--skip-unmatchable-lines");
        }
        row(t, "dead-lettered", deadLettered.total(),
                deadLettered.file() == null ? "(no --dead-letter file)" : "-> " + deadLettered.file());
        List<Reason> reasons = deadLettered.reasons();
        reasons.stream().limit(TOP_REASONS).forEach(r -> t.append(String.format(Locale.ROOT, "      %10s  %s%n",
                Human.count(r.count()), shorten(r.reason()))));
        if (reasons.size() > TOP_REASONS) {
            t.append(String.format(Locale.ROOT, "      %10s  (%d more kinds of reason)%n", "", reasons.size() - TOP_REASONS));
        }
        row(t, "late events", events.late(), null);
        row(t, "matched by a rule", events.matchedByARule(), null);
        t.append(System.lineSeparator());

        t.append(String.format(Locale.ROOT, "Alerts: %s  -> %s%n", Human.count(alerts.total()), alerts.file()));
        int nameWidth = alerts.byRule().stream().mapToInt(r -> r.name().length()).max().orElse(4);
        t.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %6s  %4s  %-8s  %s%n", "rule", "alerts", "risk",
                "severity", "MITRE ATT&CK"));
        for (RuleRow rule : alerts.byRule()) {
            t.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %6s  %4d  %-8s  %s%n", rule.name(),
                    Human.count(rule.alerts()), rule.riskScore(), rule.severity(), String.join(", ", rule.techniques())));
        }
        if (alerts.firstHit() != null) {
            t.append(String.format(Locale.ROOT, "  first hit %s, last hit %s%n", alerts.firstHit(), alerts.lastHit()));
            t.append(System.lineSeparator()).append("Top hosts").append(System.lineSeparator());
            for (HostRow host : alerts.topHosts()) {
                t.append(String.format(Locale.ROOT, "  %6s  %s%n", Human.count(host.alerts()),
                        host.host().isEmpty() ? "(no host)" : host.host()));
            }
            sequenceText(t);
        }
        t.append(System.lineSeparator());
        t.append(String.format(Locale.ROOT, "Wall time %s, of which the job %s: %s lines/s%s%n",
                Human.elapsed(duration(wallTimeSeconds)), Human.elapsed(duration(jobTimeSeconds)),
                Human.perSecond(input.linesPerSecond()),
                input.bytesPerSecond() != null ? ", " + Human.bytes(input.bytesPerSecond()) + "/s" : ""));
        return t.toString();
    }

    private void sequenceText(StringBuilder t) {
        for (RuleRow rule : alerts.byRule()) {
            List<Sequence> found = alerts.sequences().stream().filter(s -> s.ruleId().equals(rule.id())).toList();
            if (found.isEmpty()) {
                continue;
            }
            t.append(System.lineSeparator()).append("Sequence alerts: ").append(rule.name()).append(System.lineSeparator());
            for (Sequence s : found.subList(0, Math.min(found.size(), SEQUENCES_IN_TEXT))) {
                t.append(String.format(Locale.ROOT, "  %s  pid %s  %s%n", s.host(), s.process().pid(), s.process().entityId()));
                t.append(String.format(Locale.ROOT, "      %s .. %s%n", s.firstHit(), s.lastHit()));
                t.append(String.format(Locale.ROOT, "      pipes    %s%n", String.join(", ", s.pipeNames())));
                t.append(String.format(Locale.ROOT, "      queries  %s%n", String.join(", ", s.queryNames())));
            }
            long more = rule.alerts() - Math.min(found.size(), SEQUENCES_IN_TEXT);
            if (more > 0) {
                t.append(String.format(Locale.ROOT, "  ... and %s more in the alert file (rule.id %s)%n",
                        Human.count(more), rule.id()));
            }
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

    private static Duration duration(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static String text(Location location) {
        return location == null ? null : location.toString();
    }

    private static String instant(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
