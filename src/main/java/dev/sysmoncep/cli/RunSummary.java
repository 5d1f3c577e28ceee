package dev.sysmoncep.cli;

import dev.sysmoncep.alert.AlertTally;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.metrics.JobCounters;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a finished replay counted: the job's accumulators (lines, events per format, dead letters
 * and their reasons, alerts per rule), the input's size and the time taken.
 *
 * @param deadLetterReasons dead letters per kind of reason (see {@code DeadLetter.reasonKind})
 * @param alertTally the alerts per rule and host, and the sequence alerts; null if the job did not tally them
 * @param files input files read; -1 when not known here (an input on another file system)
 * @param bytes their size as stored; -1 when not known here
 * @param wallTime from start to end, Flink's start-up included
 * @param jobTime from the job's submission to its end: what throughput is measured over, since
 *     starting an embedded Flink takes seconds however small the input
 */
public record RunSummary(Map<String, Long> counts, Map<String, Long> deadLetterReasons, AlertTally.Totals alertTally,
                         RuleSet rules, int files, long bytes, Duration wallTime, Duration jobTime) {

    static RunSummary of(Map<String, Object> accumulators, RuleSet rules, InputFiles inputs, Duration wallTime,
                         Duration jobTime) {
        Map<String, Long> reasons = new TreeMap<>();
        if (accumulators.get(JobCounters.DEAD_LETTER_REASONS) instanceof Map<?, ?> m) {
            m.forEach((reason, n) -> reasons.put(String.valueOf(reason), ((Number) n).longValue()));
        }
        AlertTally.Totals tally = accumulators.get(AlertTally.NAME) instanceof AlertTally.Totals t ? t : null;
        return new RunSummary(counts(accumulators), reasons, tally, rules, inputs.files(), inputs.bytes(), wallTime,
                jobTime);
    }

    /** The counting accumulators among a job's accumulators. */
    static Map<String, Long> counts(Map<String, Object> accumulators) {
        Map<String, Long> counts = new TreeMap<>();
        accumulators.forEach((name, value) -> {
            if (value instanceof Long n) {
                counts.put(name, n);
            }
        });
        return counts;
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    double linesPerSecond() {
        return count(JobCounters.LINES_READ) / jobSeconds();
    }

    /** Whether the input's files and bytes are known: every input was local. */
    public boolean sized() {
        return files >= 0 && bytes >= 0;
    }

    double bytesPerSecond() {
        return sized() ? bytes / jobSeconds() : 0;
    }

    private double jobSeconds() {
        return Math.max(1e-3, jobTime.toNanos() / 1e9);
    }
}
