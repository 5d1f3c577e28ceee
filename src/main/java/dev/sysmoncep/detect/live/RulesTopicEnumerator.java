package dev.sysmoncep.detect.live;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.RuleUpdate;
import dev.sysmoncep.records.RuleFileVersion;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source's enumerator, also following the rules topic (one partition). Its worker thread
 * polls the topic; the coordinator thread decides on each record in offset order ({@link RuleUpdate})
 * and tells the readers, so decisions and the checkpointed state never race. Each accepted version
 * is also committed as the job group's offset on the rules topic, with the version in the offset's
 * metadata: what {@code rules --rules-topic} prints as the version in force.
 */
final class RulesTopicEnumerator implements SplitEnumerator<KafkaPartitionSplit, RulesTopicState> {
    private static final Logger LOG = LoggerFactory.getLogger(RulesTopicEnumerator.class);
    private static final long POLL_EVERY_MILLIS = 500;

    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka;
    private final SplitEnumeratorContext<KafkaPartitionSplit> context;
    private final RuleSet jobRules;
    private final TopicPartition partition;
    private final Properties client;
    private RuleSet inForce;
    /** The rules topic's offset after the last record decided on. */
    private long nextOffset;
    /** Refusals waiting for a reader to report them. */
    private final ArrayDeque<RulesTopicSource.RulesRefused> refusals = new ArrayDeque<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    /** The version to commit as the group's offset, set by the coordinator thread, taken by the worker. */
    private volatile OffsetAndMetadata toCommit;
    /** Set under the consumer's lock: the worker may poll once more after close. */
    private boolean closed;
    /** Reading the topic failed last time (logged once until it works again). */
    private boolean failing;

    RulesTopicEnumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka,
            SplitEnumeratorContext<KafkaPartitionSplit> context, RuleSet jobRules, String topic, Properties client,
            RuleFileVersion inForce, long nextOffset) {
        this.kafka = kafka;
        this.context = context;
        this.jobRules = jobRules;
        this.partition = new TopicPartition(topic, 0);
        this.client = client;
        this.inForce = inForce.sha256.equals(jobRules.fileVersion().sha256) ? jobRules : RuleSet.of(inForce);
        this.nextOffset = nextOffset;
        this.toCommit = metadata(this.inForce, nextOffset);
    }

    @Override
    public void start() {
        kafka.start();
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sysmon-cep-rules-" + partition.topic());
        consumer = RulesTopic.consumer(props);
        consumer.assign(List.of(partition));
        consumer.seek(partition, nextOffset);
        LOG.info("sysmon-cep: {} in force; following rules topic {} from offset {}", inForce.fileVersion(),
                partition.topic(), nextOffset);
        context.callAsync(this::poll, this::decide, 0, POLL_EVERY_MILLIS);
    }

    /** On the worker thread: commits the version in force if it changed, then reads what came. */
    private List<ConsumerRecord<byte[], byte[]>> poll() {
        synchronized (consumer) {
            if (closed) {
                return List.of();
            }
            OffsetAndMetadata commit = toCommit;
            if (commit != null) {
                consumer.commitSync(Map.of(partition, commit), Duration.ofSeconds(10));
                if (toCommit == commit) {
                    toCommit = null;
                }
            }
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            consumer.poll(Duration.ofMillis(100)).records(partition).forEach(records::add);
            return records;
        }
    }

    /** On the coordinator thread, in offset order. */
    private void decide(List<ConsumerRecord<byte[], byte[]>> records, Throwable failure) {
        if (failure != null) {
            if (!failing) {
                LOG.warn("sysmon-cep: cannot read rules topic {}; the rules in force stay, and it is tried again "
                        + "every {} ms", partition.topic(), POLL_EVERY_MILLIS, failure);
            }
            failing = true;
            return;
        }
        failing = false;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.offset() < nextOffset) {
                continue;
            }
            nextOffset = record.offset() + 1;
            String origin = partition.topic() + "/" + partition.partition() + "@" + record.offset();
            RuleUpdate update = RuleUpdate.decide(jobRules, inForce, record.value(), origin);
            if (update.accepted() != null) {
                inForce = update.accepted();
                toCommit = metadata(inForce, nextOffset);
                LOG.info("sysmon-cep: {} accepted; every reader takes it from its next record", inForce.fileVersion());
                for (int reader : context.registeredReaders().keySet()) {
                    send(reader, new RulesTopicSource.RulesInForce(inForce.fileVersion()));
                }
            } else if (update.refusal() != null) {
                LOG.warn("sysmon-cep: rules topic record {} refused, {} stays in force: {}", origin,
                        inForce.fileVersion(), update.refusal());
                refusals.add(new RulesTopicSource.RulesRefused(partition.topic(), partition.partition(), record.offset(),
                        update.refusal(), record.value()));
            }
        }
        reportRefusals();
    }

    /** Each refusal goes to the dead letters through one reader, the lowest registered. */
    private void reportRefusals() {
        TreeSet<Integer> readers = new TreeSet<>(context.registeredReaders().keySet());
        while (!refusals.isEmpty() && !readers.isEmpty()) {
            send(readers.first(), refusals.poll());
        }
    }

    private void send(int reader, SourceEvent event) {
        context.sendEventToSourceReader(reader, event);
    }

    private static OffsetAndMetadata metadata(RuleSet rules, long nextOffset) {
        RuleFileVersion v = rules.fileVersion();
        return new OffsetAndMetadata(Math.max(0, nextOffset), "version " + v.version + " sha256 " + v.sha256 + " from " + v.origin);
    }

    @Override
    public void addReader(int subtaskId) {
        kafka.addReader(subtaskId);
        send(subtaskId, new RulesTopicSource.RulesInForce(inForce.fileVersion()));
        reportRefusals();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        kafka.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
        kafka.addSplitsBack(splits, subtaskId);
    }

    @Override
    public RulesTopicState snapshotState(long checkpointId) throws Exception {
        return new RulesTopicState(kafka.snapshotState(checkpointId), inForce.fileVersion(), nextOffset);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        kafka.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
        kafka.handleSourceEvent(subtaskId, sourceEvent);
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            kafka.close();
        } finally {
            if (consumer != null) {
                synchronized (consumer) {
                    closed = true;
                    consumer.close();
                }
            }
        }
    }
}
