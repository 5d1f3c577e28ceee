package dev.sysmoncep.detect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * A sequence rule as CEP patterns over the findings of its parts, one pattern per order the parts
 * can occur in ("in either order"), each bounded by the sequence window. Relaxed contiguity
 * ({@code followedBy}) lets any other events of the process happen in between. Once a match
 * completes, partial matches begun before its last event are dropped: a burst of pipe events
 * followed by one lookup is one completed sequence, not one per pipe event.
 */
public final class SequencePatterns {
    private SequencePatterns() {}

    public static Pattern<Finding, Finding> pattern(List<String> order, Duration window) {
        Pattern<Finding, Finding> p = Pattern.<Finding>begin(stepName(0), AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new OfRule(order.get(0)));
        for (int i = 1; i < order.size(); i++) {
            p = p.followedBy(stepName(i)).where(new OfRule(order.get(i)));
        }
        return p.within(window);
    }

    public static PatternProcessFunction<Finding, Finding> findings(SequenceRule rule, int steps) {
        return new ToSequenceFinding(rule, steps);
    }

    /**
     * Orders findings with equal timestamps by rule id, so that which order's pattern completes
     * does not depend on arrival order.
     */
    public static EventComparator<Finding> tieBreak() {
        return new ByRuleId();
    }

    private static String stepName(int i) {
        return "part" + i;
    }

    static final class OfRule extends SimpleCondition<Finding> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;

        OfRule(String ruleId) {
            this.ruleId = ruleId;
        }

        @Override
        public boolean filter(Finding f) {
            return ruleId.equals(f.ruleId);
        }
    }

    static final class ByRuleId implements EventComparator<Finding> {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Finding a, Finding b) {
            return a.ruleId.compareTo(b.ruleId);
        }
    }

    static final class ToSequenceFinding extends PatternProcessFunction<Finding, Finding> {
        private static final long serialVersionUID = 1L;
        private final SequenceRule rule;
        private final int steps;

        ToSequenceFinding(SequenceRule rule, int steps) {
            this.rule = rule;
            this.steps = steps;
        }

        @Override
        public void processMatch(Map<String, List<Finding>> match, Context ctx, Collector<Finding> out) {
            List<Finding> parts = new ArrayList<>(steps);
            for (int i = 0; i < steps; i++) {
                parts.add(match.get(stepName(i)).get(0));
            }
            out.collect(Finding.ofSequence(rule, parts));
        }
    }
}
