package dev.sysmoncep.workflow;

import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.recognise.DeadLetter;
import dev.sysmoncep.recognise.SysmonEvent;
import org.apache.flink.streaming.api.datastream.DataStream;

/** What the detection workflow puts out, for the job to attach its sinks to. */
public record DetectionStreams(
        DataStream<AlertDocument> alerts,
        DataStream<DeadLetter> deadLetters,
        DataStream<SysmonEvent> lateEvents) {}
