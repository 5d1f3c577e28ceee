package dev.sysmoncep.workflow;

import dev.sysmoncep.alert.Alert;
import dev.sysmoncep.alert.AlertAggregator;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.alert.VersionedAlertEnricher;
import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.EventRulePatterns;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.LateFindings;
import dev.sysmoncep.detect.RuleRouter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.SequencePatterns;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.metrics.Counted;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.recognise.RecordSplitter;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.RuleFileVersion;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cep.CEP;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * The one pipeline definition, shared by the batch replay and the streaming job; only the source
 * and the sinks differ. Data flows one way:
 *
 * <pre>
 * lines -> recognise (events, dead letters) -> route to rules (drop what no rule can match)
 *   -> per rule: keyBy host -> CEP -> findings -> keyBy rule+group -> aggregate into alerts
 *   -> findings of sequence parts: keyBy host+ProcessGuid -> CEP, each order -> aggregate, with the
 *      parts' findings as context (every pipe and query of the process the alert lists)
 *   -> enrich, with the rule file version each alert was raised under -> alert documents
 * </pre>
 *
 * <p>A stream whose source follows a rules topic carries each new rule file version between the
 * events: the router matches with it from there on, and broadcasts it to the enricher.
 *
 * <p>Streaming with an allowed lateness, an event a rule's CEP gets behind the watermark takes the
 * late path beside it ({@link LateFindings}): within the lateness it becomes a finding marked late,
 * which the aggregators fold into the alerts a replay raises (see {@link AlertAggregator}); later
 * than that, it goes to the late output. A batch replay has no late events and keeps nothing for them.
 *
 * Every stateful operator has a stable uid so savepoints survive upgrades; a rule's operators
 * carry its id, so adding a rule adds operators without disturbing the others' state.
 */
public final class DetectionWorkflow {
    public static final OutputTag<SysmonEvent> LATE_EVENTS =
            new OutputTag<>("late-events", org.apache.flink.api.common.typeinfo.TypeInformation.of(SysmonEvent.class));

    private DetectionWorkflow() {}

    public static DetectionStreams defineWorkflow(
            StreamExecutionEnvironment env, Source<SysmonRecord, ?, ?> source, DetectionSettings settings) {
        RuleSet rules = settings.rules();
        // A batch replay sorts everything by event time: nothing comes late, nothing need be kept for it.
        long allowedLateness = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH
                ? 0 : settings.allowedLateness().toMillis();
        // Chained operators hand records on without a copy: each operator emits objects it made and
        // never changes after (but for the router's stamp of the rules version, set before it passes
        // an event on), and what keeps records (CEP, the aggregators) gets them from a keyBy.
        env.getConfig().enableObjectReuse();

        SingleOutputStreamOperator<SysmonRecord> events = env
                .fromSource(source, watermarks(settings), "Sysmon lines")
                .uid("sysmon-lines")
                .process(new RecordSplitter())
                .name("Split records: events on, dead letters aside")
                // The uid of the operator's first name, kept so that savepoints taken before restore.
                .uid("recognise-sysmon-events");
        DataStream<DeadLetter> deadLetters = events.getSideOutput(RecordSplitter.DEAD_LETTERS);

        SingleOutputStreamOperator<SysmonEvent> routed = events
                .process(new RuleRouter(rules))
                .name("Route events to rules")
                .uid("route-events-to-rules");

        DataStream<Finding> eventFindings = null;
        DataStream<SysmonEvent> late = null;
        for (EventRule rule : rules.eventRules()) {
            SingleOutputStreamOperator<Finding> findings = CEP
                    .pattern(routed.getSideOutput(RuleRouter.candidatesOf(rule)).keyBy(SysmonEvent::hostKey),
                            EventRulePatterns.pattern(rule))
                    .inEventTime()
                    .sideOutputLateData(LATE_EVENTS)
                    .process(EventRulePatterns.findings(rule))
                    .name("Match rule " + rule.definition().name)
                    .uid("cep-rule-" + rule.id());
            eventFindings = eventFindings == null ? findings : eventFindings.union(findings);
            DataStream<SysmonEvent> lateForRule = findings.getSideOutput(LATE_EVENTS);
            if (allowedLateness > 0) {
                SingleOutputStreamOperator<Finding> admitted = lateForRule
                        .process(new LateFindings(rule, allowedLateness))
                        .name("Admit late events of " + rule.definition().name)
                        .uid("late-findings-" + rule.id());
                eventFindings = eventFindings.union(admitted);
                lateForRule = admitted.getSideOutput(LateFindings.TOO_LATE);
            }
            late = late == null ? lateForRule : late.union(lateForRule);
        }

        SingleOutputStreamOperator<Alert> eventAlerts = eventFindings
                .keyBy(Finding::alertKey)
                .process(new AlertAggregator(settings.suppressionWindow().toMillis(), settings.emitOnOpen(),
                        rules.sequencePartIds(), allowedLateness))
                .name("Aggregate rule alerts")
                .uid("aggregate-rule-alerts");
        DataStream<Alert> alerts = eventAlerts;

        DataStream<Finding> attributed = eventAlerts.getSideOutput(AlertAggregator.ATTRIBUTED_FINDINGS)
                .filter(f -> !f.event.processGuidKey().isEmpty())
                .name("Findings with a ProcessGuid");
        for (SequenceRule sequence : rules.sequences()) {
            DataStream<Finding> sequenceFindings = null;
            List<List<String>> orders = sequence.orders();
            for (int i = 0; i < orders.size(); i++) {
                List<String> order = orders.get(i);
                SingleOutputStreamOperator<Finding> matches = CEP
                        .pattern(attributed.filter(f -> order.contains(f.ruleId)).name("Parts of " + sequence.id())
                                        .keyBy(f -> Finding.processKey(f.event)),
                                SequencePatterns.pattern(order, settings.sequenceWindow()),
                                SequencePatterns.tieBreak())
                        .inEventTime()
                        .process(SequencePatterns.findings(sequence, order.size()))
                        .name("Match sequence " + sequence.definition().name + " in order " + (i + 1))
                        .uid("cep-sequence-" + sequence.id() + "-order-" + String.join("-", order));
                sequenceFindings = sequenceFindings == null ? matches : sequenceFindings.union(matches);
            }
            // What each process did besides the completed matches, for the sequence alert to list it all.
            DataStream<Finding> context = attributed.filter(f -> sequence.parts().contains(f.ruleId))
                    .name("Context of " + sequence.id())
                    .map(f -> f.asContextOf(sequence)).returns(Finding.class)
                    .name("As context of " + sequence.definition().name);
            SingleOutputStreamOperator<Alert> sequenceAlerts = sequenceFindings.union(context)
                    .keyBy(Finding::alertKey)
                    .process(AlertAggregator.forSequence(sequence, settings.suppressionWindow().toMillis(),
                            settings.emitOnOpen(), settings.sequenceWindow().toMillis(), allowedLateness))
                    .name("Aggregate sequence alerts " + sequence.definition().name)
                    .uid("aggregate-sequence-alerts-" + sequence.id());
            alerts = alerts.union(sequenceAlerts);
        }

        // Each version of the rule file a stream takes live reaches every enricher; a replay has none but its own.
        BroadcastStream<RuleFileVersion> ruleVersions = routed.getSideOutput(RuleRouter.RULES_IN_FORCE)
                .broadcast(VersionedAlertEnricher.RULE_FILE_VERSIONS);
        DataStream<AlertDocument> documents = alerts
                .connect(ruleVersions)
                .process(new VersionedAlertEnricher(rules))
                .name("Enrich alerts")
                .uid("enrich-alerts");
        // Dead letters are counted where they are recognised, late events here, wherever they go.
        DataStream<SysmonEvent> countedLate = late
                .map(new Counted<SysmonEvent>(JobCounters.LATE_EVENTS)).returns(SysmonEvent.class)
                .name("Count late events").uid("count-late-events");
        return new DetectionStreams(documents, alerts, deadLetters, countedLate);
    }

    /**
     * Event time from each event; bounded out-of-orderness sets the streaming tolerance. Only events
     * count: dead letters and records of other channels never move the watermark, since a Kafka
     * record's own timestamp (when it was written) says nothing about when the event happened.
     * Idleness is the source's: the Kafka source marks a partition idle once it is read to its end
     * without events ({@code IdleAtEndSource}), and it stays idle because this generator emits only
     * after a new event.
     */
    static WatermarkStrategy<SysmonRecord> watermarks(DetectionSettings settings) {
        long tolerance = settings.outOfOrderness().toMillis();
        return WatermarkStrategy.<SysmonRecord>forGenerator(context -> new EventWatermarks(tolerance))
                .withTimestampAssigner((record, sourceTimestamp) ->
                        record.hasEventTime() ? record.eventTime() : sourceTimestamp);
    }

    /**
     * Bounded out-of-orderness over the Sysmon events, as Flink's, but emitted only when events came
     * since the last emission: emitting marks a split active again.
     */
    private static final class EventWatermarks implements WatermarkGenerator<SysmonRecord> {
        private final long tolerance;
        private long maxTimestamp = Long.MIN_VALUE;
        private boolean eventsSinceEmit;

        EventWatermarks(long tolerance) {
            this.tolerance = tolerance;
        }

        @Override
        public void onEvent(SysmonRecord record, long timestamp, WatermarkOutput output) {
            if (record.hasEventTime()) {
                maxTimestamp = Math.max(maxTimestamp, timestamp);
                eventsSinceEmit = true;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (eventsSinceEmit) {
                eventsSinceEmit = false;
                output.emitWatermark(new Watermark(maxTimestamp - tolerance - 1));
            }
        }
    }

}
