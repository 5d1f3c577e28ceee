package dev.sysmoncep.read.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Asks the brokers, on a thread of its own, whether a partition holds records between the offset a
 * reader has reached and an end: the end given, or else its end now (the last stable offset, as a
 * {@code read_committed} reader sees it). Where the end lies beyond the offset, a look from the
 * offset tells records from what a reader skips (transaction markers, aborted transactions), which
 * take offsets but are never handed on. Its own consumer takes only assigned partitions and commits
 * nothing, so the job's group and offsets are untouched.
 */
final class PartitionEnds implements AutoCloseable {
    private static final Duration LOOK_POLL = Duration.ofMillis(100);
    private static final Duration LOOK_LIMIT = Duration.ofSeconds(10);
    /** A look needs one record at most: small fetches. */
    private static final String LOOK_FETCH_BYTES = Integer.toString(64 << 10);

    /** Records from {@code from} (the reader's next offset, or a split's starting sentinel) up to {@code until}, or to the end now if negative. */
    record Question(long from, long until) {}

    /** {@code end}: the end the question was about; whether records wait before it. */
    record Answer(long end, boolean recordsWait) {}

    private final Properties properties;
    private final ExecutorService thread;
    private KafkaConsumer<byte[], byte[]> consumer;

    /** @param properties the source's client properties, bootstrap servers and group id among them */
    PartitionEnds(Properties properties, String threadName) {
        this.properties = new Properties();
        this.properties.putAll(properties);
        this.properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        this.properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, LOOK_FETCH_BYTES);
        this.properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LOOK_FETCH_BYTES);
        this.properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** The answers, by partition. */
    CompletableFuture<Map<TopicPartition, Answer>> ask(Map<TopicPartition, Question> questions) {
        return CompletableFuture.supplyAsync(() -> answer(questions), thread);
    }

    private Map<TopicPartition, Answer> answer(Map<TopicPartition, Question> questions) {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(properties);
        }
        Map<TopicPartition, Long> from = resolve(questions);
        List<TopicPartition> toTheEnd = questions.entrySet().stream().filter(e -> e.getValue().until() < 0)
                .map(Map.Entry::getKey).toList();
        Map<TopicPartition, Long> endsNow = toTheEnd.isEmpty() ? Map.of() : consumer.endOffsets(toTheEnd);
        Map<TopicPartition, Answer> answers = new HashMap<>();
        questions.forEach((partition, q) -> {
            long end = q.until() >= 0 ? q.until() : endsNow.get(partition);
            long offset = from.get(partition);
            answers.put(partition, new Answer(end, offset < end && recordsBefore(partition, offset, end)));
        });
        return answers;
    }

    /**
     * Starting sentinels (earliest, committed) as the source reader resolves them; where the group has
     * committed nothing, the job starts from the earliest offset.
     */
    private Map<TopicPartition, Long> resolve(Map<TopicPartition, Question> questions) {
        Map<TopicPartition, Long> from = new HashMap<>();
        questions.forEach((partition, q) -> from.put(partition, q.from()));
        List<TopicPartition> unresolved = from.entrySet().stream().filter(e -> e.getValue() < 0).map(Map.Entry::getKey).toList();
        if (unresolved.isEmpty()) {
            return from;
        }
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(unresolved);
        Map<TopicPartition, OffsetAndMetadata> committed = properties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
                ? consumer.committed(Set.copyOf(unresolved)) : Map.of();
        for (TopicPartition partition : unresolved) {
            OffsetAndMetadata groups = committed.get(partition);
            from.put(partition, from.get(partition) == KafkaPartitionSplit.COMMITTED_OFFSET && groups != null
                    ? groups.offset() : beginnings.get(partition));
        }
        return from;
    }

    /** Reads from {@code offset}: a record before {@code end} means records wait; reaching it without one, that none do. */
    private boolean recordsBefore(TopicPartition partition, long offset, long end) {
        consumer.assign(List.of(partition));
        consumer.seek(partition, offset);
        long deadline = System.nanoTime() + LOOK_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(LOOK_POLL);
            if (!records.isEmpty()) {
                return records.iterator().next().offset() < end;
            }
            if (consumer.position(partition) >= end) {
                return false;
            }
        }
        // Undecided: taken as waiting records; the reader asks again.
        return true;
    }

    @Override
    public void close() {
        thread.execute(() -> {
            if (consumer != null) {
                consumer.close();
            }
        });
        thread.shutdown();
    }
}
