package dev.sysmoncep.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * The job's counts, each kept twice: as a Flink metric (Flink UI, metric reporters, live) and as an
 * accumulator (summed over all subtasks in the job result, which the replay summary prints).
 */
public final class JobCounters {
    public static final String LINES_READ = "linesRead";
    public static final String EVENTS_PARSED = "eventsParsed";
    public static final String NOT_SYSMON = "notSysmonSkipped";
    /** Lines of blanks only: counted, neither events nor dead letters. */
    public static final String BLANK_LINES = "blankLines";
    /** Lines left unparsed because no rule can match them (replay with --skip-unmatchable-lines). */
    public static final String NOT_CANDIDATES = "linesSkippedUnparsed";
    public static final String DEAD_LETTERED = "deadLettered";
    public static final String EVENTS_MATCHED = "eventsMatched";
    public static final String LATE_EVENTS = "lateEvents";
    /** Events behind the watermark within the allowed lateness, which still raise their alerts. */
    public static final String LATE_EVENTS_ADMITTED = "lateEventsAdmitted";
    /** Alerts sent retracted because a late event moved their window's start. */
    public static final String ALERTS_RETRACTED = "alertsRetracted";
    public static final String ALERTS = "alerts";
    /** Prefix of the per-format event counts (eventsParsed.XML, ...). */
    public static final String EVENTS_PARSED_PREFIX = EVENTS_PARSED + ".";
    /** Prefix of the per-rule alert counts (alerts.<rule id>). */
    public static final String ALERTS_PREFIX = ALERTS + ".";
    /** Dead letters per kind of reason ({@link BoundedCounts}, accumulator only). */
    public static final String DEAD_LETTER_REASONS = "deadLetterReasons";

    private final RuntimeContext context;
    private final Map<String, Count> counts = new HashMap<>();

    public JobCounters(RuntimeContext context) {
        this.context = context;
    }

    /** The count of that name, registered on first use. */
    public Count get(String name) {
        return counts.computeIfAbsent(name, n -> {
            LongCounter accumulator = new LongCounter();
            context.addAccumulator(n, accumulator);
            return new Count(context.getMetricGroup().counter(n), accumulator);
        });
    }

    /** One count: a metric and an accumulator moved together. */
    public static final class Count {
        private final Counter metric;
        private final LongCounter accumulator;

        Count(Counter metric, LongCounter accumulator) {
            this.metric = metric;
            this.accumulator = accumulator;
        }

        public void inc() {
            metric.inc();
            accumulator.add(1L);
        }

        public void add(long n) {
            if (n != 0) {
                metric.inc(n);
                accumulator.add(n);
            }
        }
    }
}
