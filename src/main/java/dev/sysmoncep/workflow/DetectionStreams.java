package dev.sysmoncep.workflow;

import dev.sysmoncep.alert.Alert;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.SysmonEvent;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the detection workflow puts out, for the job to attach its sinks to.
 *
 * @param alerts the enriched alert documents, for the sinks
 * @param raisedAlerts the same alerts as records, before enrichment, for a replay's report
 */
public record DetectionStreams(
        DataStream<AlertDocument> alerts,
        DataStream<Alert> raisedAlerts,
        DataStream<DeadLetter> deadLetters,
        DataStream<SysmonEvent> lateEvents) {}
