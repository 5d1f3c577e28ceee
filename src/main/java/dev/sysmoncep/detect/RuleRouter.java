package dev.sysmoncep.detect;

import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SysmonEvent;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Drops, before any keyBy, the overwhelming majority of events that no rule can match, and sends
 * each candidate to the output of every rule it matches. Nothing leaves on the main output.
 */
public class RuleRouter extends ProcessFunction<SysmonEvent, SysmonEvent> {
    private static final long serialVersionUID = 1L;

    private final List<EventRule> rules;
    private transient JobCounters.Count matched;
    private transient OutputTag<SysmonEvent>[] outputs;

    public RuleRouter(List<EventRule> rules) {
        this.rules = rules;
    }

    public static OutputTag<SysmonEvent> candidatesOf(EventRule rule) {
        return new OutputTag<>("candidates-" + rule.id(), org.apache.flink.api.common.typeinfo.TypeInformation.of(SysmonEvent.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        matched = new JobCounters(getRuntimeContext()).get(JobCounters.EVENTS_MATCHED);
        outputs = rules.stream().map(RuleRouter::candidatesOf).toArray(OutputTag[]::new);
    }

    @Override
    public void processElement(SysmonEvent event, Context ctx, Collector<SysmonEvent> out) {
        boolean any = false;
        for (int i = 0; i < outputs.length; i++) {
            if (rules.get(i).matches(event)) {
                ctx.output(outputs[i], event);
                any = true;
            }
        }
        if (any) {
            matched.inc();
        }
    }
}
