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
 *
 * <p>A retracted alert is a tombstone: its key with no value, so a compacted topic forgets the id
 * and a consumer that upserts by key deletes it. Its headers still say which rule and that it is
 * retracted, for consumers that act on deletions without having kept the alert.
 */
public final class AlertRecordSerializer implements KafkaRecordSerializationSchema<AlertDocument> {
    private static final long serialVersionUID = 1L;

    /** The rule's id, so a consumer can route alerts without parsing them. */
    public static final String RULE_ID_HEADER = "sysmon-cep.rule-id";
    /** "true" once the alert's window has closed and it can no longer change. */
    public static final String FINAL_HEADER = "sysmon-cep.final";
    /** "true" on the tombstone of a retracted alert; absent on every other alert. */
    public static final String RETRACTED_HEADER = "sysmon-cep.retracted";

    private final String topic;

    public AlertRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(AlertDocument alert, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RULE_ID_HEADER, utf8(alert.ruleId));
        headers.add(FINAL_HEADER, utf8(Boolean.toString(alert.isFinal)));
        if (alert.retracted) {
            headers.add(RETRACTED_HEADER, utf8("true"));
        }
        byte[] value = alert.retracted ? null : utf8(alert.json);
        return new ProducerRecord<>(topic, null, null, utf8(alert.id), value, headers);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
