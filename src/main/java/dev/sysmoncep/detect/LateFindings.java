package dev.sysmoncep.detect;

import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SysmonEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The late path beside a rule's CEP: an event CEP got behind the watermark becomes the rule's
 * finding, marked late with how far behind it came, when that is within the allowed lateness; a
 * later one goes on to the late output. Every event that reaches here matches the rule: the router
 * sends a rule only the events it matches.
 */
public class LateFindings extends ProcessFunction<SysmonEvent, Finding> {
    private static final long serialVersionUID = 1L;

    /** Events later than the allowed lateness. */
    public static final OutputTag<SysmonEvent> TOO_LATE =
            new OutputTag<>("too-late-events", TypeInformation.of(SysmonEvent.class));

    private final EventRule rule;
    private final long allowedLatenessMillis;
    private transient JobCounters.Count admitted;

    public LateFindings(EventRule rule, long allowedLatenessMillis) {
        this.rule = rule;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        admitted = new JobCounters(getRuntimeContext()).get(JobCounters.LATE_EVENTS_ADMITTED);
    }

    @Override
    public void processElement(SysmonEvent event, Context ctx, Collector<Finding> out) {
        long lateness = ctx.timerService().currentWatermark() - event.eventTime;
        if (lateness > allowedLatenessMillis) {
            ctx.output(TOO_LATE, event);
            return;
        }
        Finding f = Finding.ofEvent(rule, event);
        f.late = true;
        f.latenessMillis = Math.max(0, lateness);
        admitted.inc();
        out.collect(f);
    }
}
