package dev.sysmoncep.alert;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * What a replay's report says about its alerts, summed where the alerts are raised and handed to
 * the client with the job's result: alerts, first and last hit per rule; alerts per host; and the
 * sequence alerts themselves. It works the same on an embedded Flink and on a cluster, whatever
 * file system the alert file is written to. Bounded, so a replay with millions of alerts returns
 * a small result: hosts past {@value #MAX_HOSTS} are counted under {@link #OTHER_HOSTS}, and of the
 * sequence alerts the {@value #MAX_SEQUENCES} earliest are listed (all are counted).
 */
public final class AlertTally implements Accumulator<Alert, AlertTally.Totals> {
    private static final long serialVersionUID = 1L;
    /** The accumulator's name in the job result. */
    public static final String NAME = "alertTally";
    static final int MAX_HOSTS = 10_000;
    static final int MAX_SEQUENCES = 1_000;
    /** Where the alerts of hosts past the bound are counted. */
    public static final String OTHER_HOSTS = "(other hosts)";

    private final Set<String> sequenceRules;
    private Totals totals = new Totals();

    /** @param sequenceRules ids of the sequence rules, whose alerts are listed one by one */
    public AlertTally(Set<String> sequenceRules) {
        this.sequenceRules = new TreeSet<>(sequenceRules);
    }

    /** Alerts, first and last hit of one rule. */
    public record RuleTotals(long alerts, long firstHit, long lastHit) implements Serializable {
        RuleTotals plus(RuleTotals other) {
            return new RuleTotals(alerts + other.alerts, Math.min(firstHit, other.firstHit), Math.max(lastHit, other.lastHit));
        }
    }

    /** One sequence alert as the report lists it: its process and what it did. */
    public record SequenceAlert(String ruleId, String host, String processGuid, String processId, List<String> pipeNames,
                                List<String> queryNames, long firstHit, long lastHit, long count) implements Serializable {
        static final Comparator<SequenceAlert> ORDER = Comparator.comparingLong(SequenceAlert::firstHit)
                .thenComparing(SequenceAlert::host).thenComparing(SequenceAlert::processGuid);

        static SequenceAlert of(Alert a) {
            return new SequenceAlert(a.ruleId, nonNull(a.event.host), nonNull(a.event.processGuid),
                    nonNull(a.event.processId), new ArrayList<>(a.pipeNames), new ArrayList<>(a.queryNames),
                    a.firstTime, a.lastTime, a.count);
        }
    }

    /** The tally's value: mutable only inside the accumulator. */
    public static final class Totals implements Serializable {
        private static final long serialVersionUID = 1L;
        private final HashMap<String, RuleTotals> byRule = new HashMap<>();
        private final HashMap<String, Long> byHost = new HashMap<>();
        private final ArrayList<SequenceAlert> sequences = new ArrayList<>();
        private long sequencesSeen;

        public Map<String, RuleTotals> byRule() {
            return byRule;
        }

        public Map<String, Long> byHost() {
            return byHost;
        }

        /** The earliest sequence alerts, by first hit, host and ProcessGuid. */
        public List<SequenceAlert> sequences() {
            return sequences;
        }

        /** All sequence alerts, listed or not. */
        public long sequencesSeen() {
            return sequencesSeen;
        }

        void addRule(String ruleId, RuleTotals t) {
            byRule.merge(ruleId, t, RuleTotals::plus);
        }

        void addHost(String host, long n) {
            String counted = byHost.containsKey(host) || byHost.size() < MAX_HOSTS ? host : OTHER_HOSTS;
            byHost.merge(counted, n, Long::sum);
        }

        void addSequences(List<SequenceAlert> more, long seen) {
            sequencesSeen += seen;
            sequences.addAll(more);
            sequences.sort(SequenceAlert.ORDER);
            if (sequences.size() > MAX_SEQUENCES) {
                sequences.subList(MAX_SEQUENCES, sequences.size()).clear();
            }
        }
    }

    @Override
    public void add(Alert alert) {
        totals.addRule(alert.ruleId, new RuleTotals(1, alert.firstTime, alert.lastTime));
        totals.addHost(nonNull(alert.event.host), 1);
        if (sequenceRules.contains(alert.ruleId)) {
            totals.addSequences(List.of(SequenceAlert.of(alert)), 1);
        }
    }

    @Override
    public Totals getLocalValue() {
        return totals;
    }

    @Override
    public void resetLocal() {
        totals = new Totals();
    }

    @Override
    public void merge(Accumulator<Alert, Totals> other) {
        Totals o = other.getLocalValue();
        o.byRule.forEach(totals::addRule);
        o.byHost.forEach(totals::addHost);
        totals.addSequences(o.sequences, o.sequencesSeen);
    }

    @Override
    public AlertTally clone() {
        AlertTally copy = new AlertTally(sequenceRules);
        copy.merge(this);
        return copy;
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    /** Tallies every alert passing on its way to the sinks (a batch replay's final alerts). */
    public static final class Tallied extends RichMapFunction<Alert, Alert> {
        private static final long serialVersionUID = 1L;
        private final Set<String> sequenceRules;
        private transient AlertTally tally;

        public Tallied(Set<String> sequenceRules) {
            this.sequenceRules = new TreeSet<>(sequenceRules);
        }

        @Override
        public void open(OpenContext openContext) {
            tally = new AlertTally(sequenceRules);
            getRuntimeContext().addAccumulator(NAME, tally);
        }

        @Override
        public Alert map(Alert alert) {
            tally.add(alert);
            return alert;
        }
    }
}
