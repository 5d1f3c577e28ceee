package dev.sysmoncep.bench;

import dev.sysmoncep.cli.KafkaClientProperties;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.kafka.KafkaTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One Kafka measurement's topics, consumer group and stream job: new names per run, so runs never
 * see each other's records, and the topics are deleted at the end so a user's broker keeps nothing.
 * The job is {@code sysmon-cep stream} as a user starts it, with these options.
 */
final class KafkaBenchRun implements AutoCloseable {
    /** How the stream job runs: the options a user would give {@code stream}. */
    record JobOptions(int partitions, int parallelism, String checkpointInterval, Duration outOfOrderness,
                      String deliveryGuarantee, Map<String, String> clientProperties, boolean followsRulesTopic) {
        /** The client properties as {@code stream} takes them from its environment (SYSMON_CEP_KAFKA_*). */
        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>();
            clientProperties.forEach((name, value) -> env.put(KafkaClientProperties.ENVIRONMENT_PREFIX
                    + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
            return env;
        }
    }

    final String bootstrapServers;
    final String inputTopic;
    final String alertTopic;
    final String group;
    /** The Kafka Streams app's application id (its group and the prefix of its internal topics) and alert topic. */
    final String streamsApp;
    final String streamsAlertTopic;
    /** The rules topic the job follows with {@link JobOptions#followsRulesTopic}. */
    final String rulesTopic;
    private final Admin admin;

    KafkaBenchRun(String bootstrapServers, String purpose) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.bootstrapServers = bootstrapServers;
        this.inputTopic = "sysmon-" + purpose + "-" + run;
        this.alertTopic = "alerts-" + purpose + "-" + run;
        this.group = "sysmon-cep-" + purpose + "-" + run;
        this.streamsApp = "kafka-streams-" + purpose + "-" + run;
        this.streamsAlertTopic = "alerts-kafka-streams-" + purpose + "-" + run;
        this.rulesTopic = "rules-" + purpose + "-" + run;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    }

    /**
     * The input topic and compacted alert topics (the job's, as the README advises, and the Kafka
     * Streams app's), and an empty compacted rules topic of one partition.
     */
    void createTopics(int partitions) throws Exception {
        List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(inputTopic, partitions, (short) 1)));
        for (String alerts : List.of(alertTopic, streamsAlertTopic)) {
            topics.add(new NewTopic(alerts, partitions, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        topics.add(new NewTopic(rulesTopic, 1, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }

    /** Submits the stream job reading the input topic from its start; it runs until cancelled. */
    JobClient startJob(JobOptions options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers, "--topics", inputTopic,
                "--alert-topic", alertTopic, "--group-id", group, "--transactional-id-prefix", group,
                "--start-from", "earliest", "-p", Integer.toString(options.parallelism()),
                "--checkpoint-interval", options.checkpointInterval(),
                "--out-of-orderness", options.outOfOrderness().toMillis() + "ms",
                "--delivery-guarantee", options.deliveryGuarantee()));
        if (options.followsRulesTopic()) {
            args.addAll(List.of("--rules-topic", rulesTopic));
        }
        StreamCommand command = new StreamCommand();
        new picocli.CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command.start(options.environment());
    }

    /** Records in the input topic now, over all partitions. */
    long inputEndOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(inputTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(inputTopic)
                .partitions().forEach(p -> latest.put(new TopicPartition(inputTopic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(o -> o.offset()).sum();
    }

    /** The job's offsets, committed to its group at each completed checkpoint: what it has read for good. */
    Map<TopicPartition, Long> committedOffsets() throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
            if (e.getValue() != null) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
        }
        return offsets;
    }

    /** A producer of raw lines to this run's broker, tuned by {@code tuning} (producer configs). */
    KafkaProducer<byte[], byte[]> producer(Map<String, Object> tuning) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(tuning);
        return new KafkaProducer<>(p);
    }

    /** A consumer of every alert partition from the start that sees only committed transactions. */
    KafkaConsumer<byte[], byte[]> alertReader() {
        Properties client = new Properties();
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return KafkaTestBroker.committedReader(client, alertTopic);
    }

    /**
     * Deletes the run's topics (the Kafka Streams app's internal ones too) and its groups, those that
     * exist (a run without a Kafka Streams app has none of its), then lets go of the broker.
     */
    @Override
    public void close() throws Exception {
        try {
            Set<String> topics = new HashSet<>(List.of(inputTopic, alertTopic, streamsAlertTopic, rulesTopic));
            admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(streamsApp + "-")).forEach(topics::add);
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            Set<String> groups = new HashSet<>();
            admin.listGroups().all().get(30, TimeUnit.SECONDS).forEach(g -> groups.add(g.groupId()));
            groups.retainAll(Set.of(group, streamsApp));
            admin.deleteConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
        } finally {
            admin.close();
        }
    }
}
