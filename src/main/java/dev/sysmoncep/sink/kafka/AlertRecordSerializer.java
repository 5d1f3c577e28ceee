package dev.sysmoncep.sink.kafka;

import dev.sysmoncep.alert.AlertDocument;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An alert as a Kafka record: key = the alert id, value = the alert document (JSON). Every update of
 * an alert has the same key, so it lands in the same partition after the earlier ones and a
 * compacted topic keeps each alert's latest state. The record timestamp is the time of writing:
 * the event time is in the document, and a topic with time retention must not drop an alert at
 * once because its events are old.
 */
public final class AlertRecordSerializer implements KafkaRecordSerializationSchema<AlertDocument> {
    private static final long serialVersionUID = 1L;

    /** The rule's id, so a consumer can route alerts without parsing them. */
    public static final String RULE_ID_HEADER = "sysmon-cep.rule-id";
    /** "true" once the alert's window has closed and it can no longer change. */
    public static final String FINAL_HEADER = "sysmon-cep.final";

    private final String topic;

    public AlertRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(AlertDocument alert, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RULE_ID_HEADER, utf8(alert.ruleId));
        headers.add(FINAL_HEADER, utf8(Boolean.toString(alert.isFinal)));
        return new ProducerRecord<>(topic, null, null, utf8(alert.id), utf8(alert.json), headers);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
