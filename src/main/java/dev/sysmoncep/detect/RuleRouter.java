package dev.sysmoncep.detect;

import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.RuleFileVersion;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops, before any keyBy, the overwhelming majority of events that no rule can match, and sends
 * each candidate to the output of every rule it matches, stamped with the rule file version it
 * matched under. Nothing leaves on the main output.
 *
 * <p>A stream with a rules topic carries each new version between its events (a RULES record,
 * after {@link RuleUpdate} accepted it): from that record on, this subtask matches with it, and it
 * passes the version on to {@link #RULES_IN_FORCE} for the enricher. A version lacking one of the
 * job's rules sends that rule nothing.
 */
public class RuleRouter extends ProcessFunction<SysmonRecord, SysmonEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleRouter.class);
    public static final String RULES_VERSION_GAUGE = "rulesVersion";
    public static final OutputTag<RuleFileVersion> RULES_IN_FORCE =
            new OutputTag<>("rules-in-force", TypeInformation.of(RuleFileVersion.class));

    /** The job's rules, one output each; what the CEP operators were made from. */
    private final List<EventRule> rules;
    private final RuleFileVersion startVersion;
    private transient JobCounters.Count matched;
    private transient OutputTag<SysmonEvent>[] outputs;
    /** Per output, the rule of the version in force, or null when that version has no such rule. */
    private transient EventRule[] inForce;
    private transient RuleFileVersion version;

    public RuleRouter(RuleSet rules) {
        this.rules = rules.eventRules();
        this.startVersion = rules.fileVersion();
    }

    public static OutputTag<SysmonEvent> candidatesOf(EventRule rule) {
        return new OutputTag<>("candidates-" + rule.id(), TypeInformation.of(SysmonEvent.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        matched = new JobCounters(getRuntimeContext()).get(JobCounters.EVENTS_MATCHED);
        outputs = rules.stream().map(RuleRouter::candidatesOf).toArray(OutputTag[]::new);
        inForce = rules.toArray(EventRule[]::new);
        version = startVersion;
        getRuntimeContext().getMetricGroup().gauge(RULES_VERSION_GAUGE, (Gauge<Integer>) () -> version.version);
    }

    @Override
    public void processElement(SysmonRecord record, Context ctx, Collector<SysmonEvent> out) {
        if (record.kind == SysmonRecord.Kind.RULES) {
            takeOver(record.rules, ctx);
            return;
        }
        SysmonEvent event = record.event;
        boolean any = false;
        for (int i = 0; i < outputs.length; i++) {
            EventRule rule = inForce[i];
            if (rule != null && rule.matches(event)) {
                if (!any) {
                    event.rulesVersion = version.version;
                    any = true;
                }
                ctx.output(outputs[i], event);
            }
        }
        if (any) {
            matched.inc();
        }
    }

    private void takeOver(RuleFileVersion next, Context ctx) {
        if (!next.sha256.equals(version.sha256)) {
            RuleSet rules = RuleSet.of(next);
            for (int i = 0; i < inForce.length; i++) {
                inForce[i] = rules.eventRule(this.rules.get(i).id());
            }
            version = next;
            LOG.info("sysmon-cep: {} in force from here on (subtask {})", next,
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        }
        ctx.output(RULES_IN_FORCE, next);
    }
}
