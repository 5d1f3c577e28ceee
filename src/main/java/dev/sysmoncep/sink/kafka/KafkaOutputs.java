package dev.sysmoncep.sink.kafka;

import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.SysmonEvent;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The job's Kafka sinks: alerts, dead letters, late events. With {@link DeliveryGuarantee#EXACTLY_ONCE}
 * each writes in Kafka transactions that commit when a checkpoint completes, so readers with
 * {@code isolation.level=read_committed} see every record once across failures and restarts, at the
 * checkpoint interval's pace. Each sink has its own transactional id prefix
 * ({@code PREFIX-alerts}, {@code PREFIX-dead-letters}, {@code PREFIX-late-events}); the prefix must
 * differ between jobs writing to one cluster, or they fence each other.
 *
 * @param transactionTimeout how long the broker keeps a transaction open; at most the broker's
 *     {@code transaction.max.timeout.ms} (15 min by default), and longer than a checkpoint interval
 *     plus the longest outage to recover from, since the broker aborts what it times out
 */
public record KafkaOutputs(
        String bootstrapServers,
        Properties clientProperties,
        DeliveryGuarantee deliveryGuarantee,
        String transactionalIdPrefix,
        Duration transactionTimeout) {

    public KafkaSink<AlertDocument> alerts(String topic) {
        return sink(new AlertRecordSerializer(topic), "alerts");
    }

    public KafkaSink<DeadLetter> deadLetters(String topic) {
        return sink(new DeadLetterRecordSerializer(topic), "dead-letters");
    }

    public KafkaSink<SysmonEvent> lateEvents(String topic) {
        return sink(new LateEventRecordSerializer(topic), "late-events");
    }

    private <T> KafkaSink<T> sink(KafkaRecordSerializationSchema<T> serializer, String output) {
        Properties producer = new Properties();
        producer.putAll(clientProperties);
        producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeout.toMillis()));
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producer)
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(deliveryGuarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + output)
                .setRecordSerializer(serializer)
                .build();
    }
}
