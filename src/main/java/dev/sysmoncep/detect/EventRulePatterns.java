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
 * time order, and it sends events that arrive behind the watermark to the late output.
 */
public final class EventRulePatterns {
    private EventRulePatterns() {}

    public static Pattern<SysmonEvent, SysmonEvent> pattern(EventRule rule) {
        return Pattern.<SysmonEvent>begin(rule.id()).where(new RuleCondition(rule));
    }

    public static PatternProcessFunction<SysmonEvent, Finding> findings(EventRule rule) {
        return new ToFinding(rule);
    }

    static final class RuleCondition extends SimpleCondition<SysmonEvent> {
        private static final long serialVersionUID = 1L;
        private final EventRule rule;

        RuleCondition(EventRule rule) {
            this.rule = rule;
        }

        @Override
        public boolean filter(SysmonEvent event) {
            return rule.matches(event);
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
