package dev.sysmoncep.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * What a {@code read_committed} reader has seen on a topic so far: every record, and the latest value
 * per key (what a compacted topic keeps). Polls until a condition holds, the job fails, or a deadline
 * passes; no sleeping.
 */
public final class CommittedRecords implements AutoCloseable {
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    public CommittedRecords(KafkaTestBroker broker, String topic) {
        this.topic = topic;
        this.consumer = broker.committedReader(topic);
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    /** Latest value per key, in the order keys were first seen: what a compacted topic keeps (a tombstone removes its key). */
    public Map<String, String> latestByKey() {
        return latestByKey(records);
    }

    /**
     * Latest value per key of these records, in the order keys were first seen (after their last
     * tombstone): a tombstone, a record without value, removes its key, as compaction does.
     */
    public static Map<String, String> latestByKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return latest;
    }

    /**
     * Reads on until {@code done} holds; fails at once if the job stops, or when the deadline passes,
     * showing what was there as {@code shown} puts it.
     */
    public void awaitUntil(String what, Duration deadline, JobClient job, Predicate<CommittedRecords> done,
            Function<CommittedRecords, Object> shown) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.test(this)) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new AssertionError("the job ended (" + status + ") before " + what);
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + what + " on " + topic + " within " + deadline + "; committed so far: "
                        + shown.apply(this));
            }
            consumer.poll(Duration.ofMillis(250)).forEach(records::add);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
