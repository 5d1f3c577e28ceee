package dev.sysmoncep.sink.kafka;

import static dev.sysmoncep.sink.kafka.AlertRecordSerializer.utf8;

import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.OutputLines;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A late event (one a rule matched, which came behind the watermark by more than the tolerance) as a
 * Kafka record: the JSON of {@link OutputLines#lateEvent}, with its origin, so an analyst can look at
 * it or replay it; no key.
 */
public final class LateEventRecordSerializer implements KafkaRecordSerializationSchema<SysmonEvent> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public LateEventRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(SysmonEvent event, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, null, utf8(OutputLines.lateEvent(event)));
    }
}
