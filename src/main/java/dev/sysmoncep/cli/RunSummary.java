package dev.sysmoncep.cli;

import dev.sysmoncep.JobCounters;
import dev.sysmoncep.detect.RuleDefinition;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.recognise.SourceFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.fs.Path;

/** The counts of a finished run, from the job's accumulators, and the summary printed from them. */
public record RunSummary(Map<String, Long> counts, RuleSet rules) {

    public static RunSummary of(JobExecutionResult result, RuleSet rules) {
        Map<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, Object> e : result.getAllAccumulatorResults().entrySet()) {
            if (e.getValue() instanceof Long n) {
                counts.put(e.getKey(), n);
            }
        }
        return new RunSummary(counts, rules);
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    String render(double seconds, Path output, Path deadLetters) {
        StringBuilder s = new StringBuilder();
        long lines = count(JobCounters.LINES_READ);
        s.append(String.format(Locale.ROOT, "sysmon-cep replay finished in %.1f s (%,.0f lines/s)%n",
                seconds, seconds > 0 ? lines / seconds : 0));
        row(s, "lines read", lines, null);
        List<String> perFormat = new ArrayList<>();
        for (SourceFormat f : SourceFormat.values()) {
            long n = count(JobCounters.EVENTS_PARSED_PREFIX + f.name());
            if (n > 0) {
                perFormat.add(f.name() + " " + n);
            }
        }
        row(s, "events parsed", count(JobCounters.EVENTS_PARSED), String.join(", ", perFormat));
        row(s, "skipped, not Sysmon", count(JobCounters.NOT_SYSMON), null);
        row(s, "dead-lettered", count(JobCounters.DEAD_LETTERED), deadLetters == null ? null : "in " + FileLocation.display(deadLetters));
        row(s, "events matched", count(JobCounters.EVENTS_MATCHED), null);
        row(s, "late events", count(JobCounters.LATE_EVENTS), null);
        row(s, "alerts", count(JobCounters.ALERTS), "in " + FileLocation.display(output));
        List<RuleDefinition> all = new ArrayList<>();
        rules.eventRules().forEach(r -> all.add(r.definition()));
        rules.sequences().forEach(r -> all.add(r.definition()));
        for (RuleDefinition r : all) {
            s.append(String.format(Locale.ROOT, "    %6d  %s (%s, risk %d)%n",
                    count(JobCounters.ALERTS_PREFIX + r.id), r.name, r.id, r.riskScore));
        }
        return s.toString();
    }

    private static void row(StringBuilder s, String label, long n, String note) {
        s.append(String.format(Locale.ROOT, "  %-20s %10d%s%n", label, n, note == null || note.isEmpty() ? "" : "  (" + note + ")"));
    }
}
