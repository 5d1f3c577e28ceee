package dev.sysmoncep.sink.kafka;

import static dev.sysmoncep.sink.kafka.AlertRecordSerializer.utf8;

import dev.sysmoncep.records.DeadLetter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead letter as a Kafka record: the value is the original record value byte for byte (cut to
 * {@link DeadLetter#MAX_KEPT_BYTES}), so it can be fixed and written back to the input topic as it
 * is; why and where it came from travel in headers. No key: dead letters need no order.
 */
public final class DeadLetterRecordSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = "sysmon-cep.reason";
    /** topic/partition@offset, as in the logs and the alert's first_event_origin. */
    public static final String ORIGIN_HEADER = "sysmon-cep.origin";
    public static final String SOURCE_TOPIC_HEADER = "sysmon-cep.source-topic";
    public static final String SOURCE_PARTITION_HEADER = "sysmon-cep.source-partition";
    public static final String SOURCE_OFFSET_HEADER = "sysmon-cep.source-offset";
    /** The original value's length in bytes, which is more than the value's when it was cut. */
    public static final String LENGTH_HEADER = "sysmon-cep.length";
    public static final String TRUNCATED_HEADER = "sysmon-cep.truncated";

    private final String topic;

    public DeadLetterRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, utf8(d.reason));
        if (d.origin != null) {
            headers.add(ORIGIN_HEADER, utf8(d.origin.toString()));
            headers.add(SOURCE_TOPIC_HEADER, utf8(d.origin.source));
            headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(d.origin.partition)));
            headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(d.origin.position)));
        }
        headers.add(LENGTH_HEADER, utf8(Long.toString(d.length)));
        headers.add(TRUNCATED_HEADER, utf8(Boolean.toString(d.truncated())));
        return new ProducerRecord<>(topic, null, null, null, d.raw == null ? new byte[0] : d.raw, headers);
    }
}
