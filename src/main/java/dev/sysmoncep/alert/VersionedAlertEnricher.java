package dev.sysmoncep.alert;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.RuleFileVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Enriches each alert with the facts (name, MITRE tags, risk, message) of the rule file version it
 * was raised under, as {@link AlertEnricher} does for one version. The versions a stream takes from
 * its rules topic come broadcast from the router, into broadcast state, so every subtask has them
 * and a restored job still has every version its open alerts were raised under. An alert can come
 * before its version does (they travel different paths); it waits, in checkpointed state, until then.
 */
public class VersionedAlertEnricher extends BroadcastProcessFunction<Alert, RuleFileVersion, AlertDocument>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    public static final MapStateDescriptor<Integer, RuleFileVersion> RULE_FILE_VERSIONS =
            new MapStateDescriptor<>("rule-file-versions", Types.INT, TypeInformation.of(RuleFileVersion.class));

    private final RuleSet startRules;
    private transient Map<Integer, AlertEnricher> enrichers;
    private transient List<Alert> waiting;
    private transient ListState<Alert> waitingState;

    public VersionedAlertEnricher(RuleSet startRules) {
        this.startRules = startRules;
    }

    @Override
    public void processElement(Alert alert, ReadOnlyContext ctx, Collector<AlertDocument> out) throws Exception {
        int version = alert.event.rulesVersion;
        AlertEnricher enricher = enrichers.get(version);
        if (enricher == null) {
            enricher = enricher(version, ctx.getBroadcastState(RULE_FILE_VERSIONS).get(version));
        }
        if (enricher == null) {
            waiting.add(alert);
        } else {
            out.collect(enricher.map(alert));
        }
    }

    @Override
    public void processBroadcastElement(RuleFileVersion version, Context ctx, Collector<AlertDocument> out) throws Exception {
        BroadcastState<Integer, RuleFileVersion> versions = ctx.getBroadcastState(RULE_FILE_VERSIONS);
        if (versions.contains(version.version)) {
            return;
        }
        versions.put(version.version, version);
        List<Alert> stillWaiting = new ArrayList<>();
        for (Alert alert : waiting) {
            if (alert.event.rulesVersion == version.version) {
                out.collect(enricher(version.version, version).map(alert));
            } else {
                stillWaiting.add(alert);
            }
        }
        waiting = stillWaiting;
    }

    /** The enricher of that version, or null while the version has not come. */
    private AlertEnricher enricher(int number, RuleFileVersion version) {
        AlertEnricher known = enrichers.get(number);
        if (known == null && version != null) {
            known = new AlertEnricher(RuleSet.of(version));
            enrichers.put(number, known);
        }
        return known;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingState.update(waiting);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        enrichers = new HashMap<>();
        enrichers.put(startRules.fileVersion().version, new AlertEnricher(startRules));
        waitingState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("alerts-awaiting-their-rules", Alert.class));
        waiting = new ArrayList<>();
        for (Alert alert : waitingState.get()) {
            waiting.add(alert);
        }
    }
}
