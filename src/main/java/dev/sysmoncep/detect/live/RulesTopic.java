package dev.sysmoncep.detect.live;

import dev.sysmoncep.detect.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A rules topic as the command line sees it before a job starts: the rule file a job starting now
 * takes (the latest record that is a valid rule file, else the given one), and the version a
 * running job of a consumer group has in force (the group's committed offset's metadata).
 */
public final class RulesTopic {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private RulesTopic() {}

    /**
     * @param rules what a job starting now runs with
     * @param fromOffset the offset a job starting now follows the topic from: its end
     * @param skipped the reasons the records after the one taken are not rule files, latest first
     */
    public record Start(RuleSet rules, long fromOffset, List<String> skipped) {}

    /** What the group's running job has in force: the metadata committed with its offset, or null if none. */
    public record InForce(long nextOffset, String version) {}

    /** Reads the whole topic (a compacted topic holds little) and takes its latest valid rule file, else {@code fallback}. */
    public static Start start(Properties client, String topic, RuleSet fallback) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(client)) {
            TopicPartition partition = onlyPartition(consumer, topic);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("rules topic " + topic + " could not be read to its end (offset " + end
                            + ") in " + TIMEOUT.toSeconds() + " s");
                }
                consumer.poll(Duration.ofMillis(200)).records(partition).forEach(records::add);
            }
            List<String> skipped = new ArrayList<>();
            for (int i = records.size() - 1; i >= 0; i--) {
                ConsumerRecord<byte[], byte[]> r = records.get(i);
                String origin = topic + "/0@" + r.offset();
                if (r.value() == null) {
                    skipped.add(origin + ": no value (a tombstone)");
                    continue;
                }
                try {
                    return new Start(RuleSet.parse(r.value(), origin), end, skipped);
                } catch (RuntimeException invalid) {
                    skipped.add(invalid instanceof IllegalArgumentException ? invalid.getMessage() : origin + ": " + invalid);
                }
            }
            return new Start(fallback, end, skipped);
        }
    }

    /** The version in force in the running job of this group (its consumer's group.id), or null. */
    public static InForce inForce(Properties client, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(client)) {
            TopicPartition partition = onlyPartition(consumer, topic);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(java.util.Set.of(partition), TIMEOUT);
            OffsetAndMetadata at = committed.get(partition);
            return at == null ? null : new InForce(at.offset(), at.metadata());
        }
    }

    private static TopicPartition onlyPartition(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, TIMEOUT);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalArgumentException("rules topic " + topic + " does not exist; create it with one partition "
                    + "and cleanup.policy=compact");
        }
        if (partitions.size() != 1) {
            throw new IllegalArgumentException("rules topic " + topic + " has " + partitions.size() + " partitions; "
                    + "it needs exactly one, so that versions keep their order");
        }
        return new TopicPartition(topic, 0);
    }

    /** A consumer of committed records of the rules topic that commits only when told. */
    static KafkaConsumer<byte[], byte[]> consumer(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
