package dev.sysmoncep.read.kafka;

import dev.sysmoncep.read.LineFilter;
import dev.sysmoncep.records.SysmonRecord;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The Kafka source of Sysmon lines: one record value is one line, recognised as it is read. Each
 * partition is a split with its own watermark (the workflow assigns them at the source), so a
 * partition behind the others holds the watermark back; one without events goes idle, and stops
 * holding it, only once it is read to its end ({@link IdleAtEndSource}).
 *
 * @param topics topics to read, or empty when a pattern is given
 * @param topicPattern topics to read by name, including ones created later; null when topics are given
 * @param clientProperties Kafka client properties (security and tuning), applied before the job's own
 */
public record KafkaSysmonSource(
        String bootstrapServers,
        List<String> topics,
        Pattern topicPattern,
        String groupId,
        StartingOffsets startFrom,
        Properties clientProperties) {

    /**
     * @param idleness how long a partition read to its end may go without events before it is idle
     * @param candidates tells the records some rule may match, or null to parse every record
     */
    public IdleAtEndSource build(int maxLineBytes, Duration idleness, LineFilter candidates) {
        SysmonRecordDeserializer deserializer = new SysmonRecordDeserializer(maxLineBytes, candidates);
        KafkaSourceBuilder<SysmonRecord> builder = KafkaSource.<SysmonRecord>builder()
                // Transactional writers upstream (Kafka Connect, another Flink job) must be read as
                // committed, or an aborted batch would be detected; plain writers are unaffected.
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperties(clientProperties)
                .setBootstrapServers(bootstrapServers)
                .setGroupId(groupId)
                .setClientIdPrefix(groupId)
                .setStartingOffsets(startFrom.initializer())
                .setDeserializer(deserializer);
        if (topicPattern != null) {
            builder.setTopicPattern(topicPattern);
        } else {
            builder.setTopics(topics);
        }
        // Where partitions end is asked with the source's own login, and its group for committed offsets.
        Properties endsClient = new Properties();
        endsClient.putAll(clientProperties);
        endsClient.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        endsClient.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return new IdleAtEndSource(builder.build(), deserializer, idleness, endsClient);
    }

    /** What it reads and from where; {@code restoredFrom} names the savepoint or checkpoint the job restores, or is null. */
    public String describe(String restoredFrom) {
        return (topicPattern != null ? "topics matching /" + topicPattern + "/" : "topic(s) " + String.join(", ", topics))
                + " at " + bootstrapServers + " as group " + groupId + ", "
                + (restoredFrom != null ? "going on from the offsets in " + restoredFrom + " (restored with its open alerts "
                        + "and partial matches)" : "starting (without a checkpoint) from " + startFrom);
    }
}
