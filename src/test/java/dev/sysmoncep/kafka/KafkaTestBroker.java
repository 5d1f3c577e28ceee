package dev.sysmoncep.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (KRaft, one combined broker and controller) inside the test JVM, listening on
 * 127.0.0.1, started once per test class. Topics are made per test so tests never see each other's
 * records. Also usable outside JUnit ({@link #start()}, {@link #close()}), as the latency benchmark does.
 */
public final class KafkaTestBroker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    /** Users the test kit's SASL/PLAIN listener knows (its JAAS file). */
    public static final String ADMIN_USER = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String ADMIN_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    public static final String USER = JaasUtils.KAFKA_PLAIN_USER1;
    public static final String USER_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private final SecurityProtocol protocol;
    private KafkaClusterTestKit cluster;

    /** A broker whose clients connect in plain text, without logging in. */
    public KafkaTestBroker() {
        this(SecurityProtocol.PLAINTEXT);
    }

    private KafkaTestBroker(SecurityProtocol protocol) {
        this.protocol = protocol;
    }

    /** A broker whose clients must log in with SASL/PLAIN ({@link #USER} or {@link #ADMIN_USER}). */
    public static KafkaTestBroker saslPlain() {
        return new KafkaTestBroker(SecurityProtocol.SASL_PLAINTEXT);
    }

    /** The JAAS line of a SASL/PLAIN login. */
    public static String plainLogin(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    public void start() throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBrokerSecurityProtocol(protocol)
                        .build());
        if (protocol == SecurityProtocol.SASL_PLAINTEXT) {
            // The kit then authorizes requests; its controller listener stays plain text (ANONYMOUS),
            // and the users log in only to be known, not to be granted topic by topic.
            builder.setConfigProp("super.users", "User:ANONYMOUS;User:" + ADMIN_USER)
                    .setConfigProp("allow.everyone.if.no.acl.found", "true");
        }
        cluster = builder
                // One broker: the internal topics (offsets, transactions) cannot have more replicas.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @Override
    public void close() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** What the tests' own clients need: the brokers and, on a SASL broker, the admin's login. */
    private Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (protocol == SecurityProtocol.SASL_PLAINTEXT) {
            p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
            p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            p.put(SaslConfigs.SASL_JAAS_CONFIG, plainLogin(ADMIN_USER, ADMIN_PASSWORD));
        }
        return p;
    }

    public void createTopic(String name, int partitions, boolean compacted) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1);
            if (compacted) {
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    /** A consumer of every partition of a topic from its start, seeing only committed transactions. */
    public KafkaConsumer<byte[], byte[]> committedReader(String topic) {
        return committedReader(clientProperties(), topic);
    }

    /**
     * A consumer of every partition of {@code topic} from its start that sees only committed
     * transactions, as a downstream reader of the job's outputs should; {@code client} holds at least
     * the bootstrap servers.
     */
    public static KafkaConsumer<byte[], byte[]> committedReader(Properties client, String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Every committed record of {@code topic} once no transaction is open on any of its partitions:
     * for a topic whose writer has finished. A producer's commit returns once the coordinator has
     * decided it; the markers that make its records readable reach the partitions after that, so a
     * reader right after a finished job can still find them hidden behind an open transaction.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAllSettled(String topic) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<TopicPartition, Long> open;
            while (!(open = openTransactions(admin, partitions)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("transactions still open on " + topic + " after 60 s, from offsets " + open);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
        return readAll(topic);
    }

    /** Where each partition's oldest open transaction starts, for the partitions that have one. */
    private static Map<TopicPartition, Long> openTransactions(Admin admin, List<TopicPartition> partitions)
            throws Exception {
        Map<TopicPartition, Long> open = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).forEach((partition, state) ->
                state.activeProducers().forEach(producer -> producer.currentTransactionStartOffset()
                        .ifPresent(start -> open.merge(partition, start, Math::min))));
        return open;
    }

    /** Everything committed on a topic now, read to each partition's end. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader(topic)) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
