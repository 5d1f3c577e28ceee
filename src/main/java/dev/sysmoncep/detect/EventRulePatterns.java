package dev.sysmoncep.detect;

import dev.sysmoncep.records.SysmonEvent;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * A single-event rule as a CEP pattern and the function that turns its matches into findings.
 * CEP buffers each host's events until the watermark passes them and hands them over in event
 * time order, and it sends events that arrive behind the watermark to the late output. The
 * {@link RuleRouter} already matched every event it gets, with the rule file version in force when
 * the event was read, which may be newer than the one the job started with: the pattern takes them all.
 */
public final class EventRulePatterns {
    private EventRulePatterns() {}

    public static Pattern<SysmonEvent, SysmonEvent> pattern(EventRule rule) {
        return Pattern.<SysmonEvent>begin(rule.id()).where(new RoutedToRule());
    }

    public static PatternProcessFunction<SysmonEvent, Finding> findings(EventRule rule) {
        return new ToFinding(rule);
    }

    /** Every event the router sent this rule's CEP. */
    static final class RoutedToRule extends SimpleCondition<SysmonEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(SysmonEvent event) {
            return true;
        }
    }

    static final class ToFinding extends PatternProcessFunction<SysmonEvent, Finding> {
        private static final long serialVersionUID = 1L;
        private final EventRule rule;

        ToFinding(EventRule rule) {
            this.rule = rule;
        }

        @Override
        public void processMatch(Map<String, List<SysmonEvent>> match, Context ctx, Collector<Finding> out) {
            for (SysmonEvent e : match.get(rule.id())) {
                out.collect(Finding.ofEvent(rule, e));
            }
        }
    }
}
