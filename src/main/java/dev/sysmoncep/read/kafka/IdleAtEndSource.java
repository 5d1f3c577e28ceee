package dev.sysmoncep.read.kafka;

import dev.sysmoncep.records.SysmonRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source whose partitions go idle only once they are read to their end. Flink's idleness
 * ({@code WatermarkStrategy.withIdleness}) marks a split idle after a time without records, on a
 * clock that stops only while the task is backpressured or the split paused for watermark
 * alignment; a partition whose records wait unread behind another partition's (the source reader
 * hands on one fetch at a time) or behind a busy core has no such pause, goes idle, and the other
 * partitions move the watermark past its backlog, whose events then come late and raise no alert.
 *
 * <p>Here the reader decides instead, per partition: one that has handed on no event for the
 * idleness is asked about at the brokers ({@link PartitionEnds}): it goes idle only once nothing is
 * left to read of what the partition held when it fell quiet; until then it holds the watermark
 * back. Records written later, while it is idle, are as for any idleness: the partition is active
 * again with its next event. The watermark generator goes along: it emits only after events, so a
 * partition stays idle until its next event. All of this runs on the task thread, but for the
 * brokers' answers.
 */
public final class IdleAtEndSource
        implements Source<SysmonRecord, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<SysmonRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(IdleAtEndSource.class);
    private static final Duration MOST_BETWEEN_CHECKS = Duration.ofMillis(200);
    private static final Duration LEAST_BETWEEN_CHECKS = Duration.ofMillis(10);
    /** Records handed on between two looks at the clock while records flow. */
    private static final int POLLS_PER_CLOCK_READ = 32;

    private final KafkaSource<SysmonRecord> kafka;
    /** The deserializer inside {@link #kafka}: the same object, after deserialization on the task too. */
    private final SysmonRecordDeserializer deserializer;
    private final Duration idleness;
    private final Properties endsClient;

    IdleAtEndSource(KafkaSource<SysmonRecord> kafka, SysmonRecordDeserializer deserializer, Duration idleness,
            Properties endsClient) {
        this.kafka = kafka;
        this.deserializer = deserializer;
        this.idleness = idleness;
        this.endsClient = endsClient;
    }

    @Override
    public TypeInformation<SysmonRecord> getProducedType() {
        return kafka.getProducedType();
    }

    /** The deserializer the readers of this source use (the same object on each task). */
    public SysmonRecordDeserializer deserializer() {
        return deserializer;
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SourceReader<SysmonRecord, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        PartitionEnds ends = new PartitionEnds(endsClient, "sysmon-cep partition ends " + context.getIndexOfSubtask());
        return new Reader(kafka.createReader(context), deserializer, idleness, ends);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return kafka.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState checkpoint) throws Exception {
        return kafka.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    /** What the reader knows of one partition. */
    private static final class Partition {
        final TopicPartition topicPartition;
        final long startingOffset;
        /** Events handed on; and their number at the last check. */
        long events;
        long eventsAtCheck;
        /** Since when (nanoTime) no event has come; 0 before the first check. */
        long quietSince;
        boolean idle;
        /** The partition's end when this quiet spell was first asked about: what must be read first; -1 before. */
        long until = -1;
        /** Records were found waiting in this quiet spell (logged once). */
        boolean heldBack;

        Partition(KafkaPartitionSplit split) {
            this.topicPartition = split.getTopicPartition();
            this.startingOffset = split.getStartingOffset();
        }
    }

    private static final class Reader extends ForwardingSourceReader<SysmonRecord, KafkaPartitionSplit> {
        private final SysmonRecordDeserializer deserializer;
        private final long idlenessNanos;
        private final long checkEveryNanos;
        private final PartitionEnds ends;
        private final Map<String, Partition> partitions = new LinkedHashMap<>();
        private ReaderOutput<SysmonRecord> main;
        private Output output;
        private Boolean mainIdle;
        /** Since when (nanoTime) the reader has had no partition; 0 while it has some. */
        private long withoutPartitionsSince;
        private int polls;
        private long nextCheck;
        private CompletableFuture<Map<TopicPartition, PartitionEnds.Answer>> asking;
        private Map<TopicPartition, PartitionEnds.Question> asked;
        private boolean answersFailing;
        private CompletableFuture<Void> wakeUp;

        Reader(SourceReader<SysmonRecord, KafkaPartitionSplit> reader, SysmonRecordDeserializer deserializer,
                Duration idleness, PartitionEnds ends) {
            super(reader);
            this.deserializer = deserializer;
            this.idlenessNanos = idleness.toNanos();
            this.checkEveryNanos = Math.max(LEAST_BETWEEN_CHECKS.toNanos(),
                    Math.min(MOST_BETWEEN_CHECKS.toNanos(), idlenessNanos / 4));
            this.ends = ends;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<SysmonRecord> readerOutput) throws Exception {
            if (main != readerOutput) {
                main = readerOutput;
                output = new Output(readerOutput);
            }
            InputStatus status = reader.pollNext(output);
            if (status != InputStatus.MORE_AVAILABLE || ++polls % POLLS_PER_CLOCK_READ == 0) {
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    nextCheck = now + checkEveryNanos;
                    check(now);
                }
            }
            return status;
        }

        /** Moves each partition's idleness on; see the class comment. */
        private void check(long now) {
            if (asking != null && asking.isDone()) {
                answered(asking.exceptionally(e -> {
                    if (!answersFailing) {
                        LOG.warn("sysmon-cep: could not ask the brokers where partitions end; none goes idle until they "
                                + "answer", e);
                    }
                    answersFailing = true;
                    return null;
                }).join(), now);
                asking = null;
            }
            Map<TopicPartition, PartitionEnds.Question> questions = new HashMap<>();
            for (Partition p : partitions.values()) {
                if (p.events != p.eventsAtCheck) {
                    // An event: its watermark, emitted at the generator's next turn, makes the partition active.
                    p.eventsAtCheck = p.events;
                    p.quietSince = now;
                    p.idle = false;
                    p.until = -1;
                    p.heldBack = false;
                } else if (p.quietSince == 0) {
                    p.quietSince = now;
                } else if (!p.idle && now - p.quietSince >= idlenessNanos) {
                    questions.put(p.topicPartition, new PartitionEnds.Question(from(p), p.until));
                }
            }
            if (asking == null && !questions.isEmpty()) {
                asked = questions;
                asking = ends.ask(questions);
            }
            // The reader's own output stands for the subtask downstream: idle only when every partition
            // is, or when it has had none for the idleness (more readers than partitions). Not at once:
            // before its first partitions come, an idle subtask would let the others' watermark pass
            // its records downstream.
            boolean allIdle;
            if (partitions.isEmpty()) {
                withoutPartitionsSince = withoutPartitionsSince == 0 ? now : withoutPartitionsSince;
                allIdle = now - withoutPartitionsSince >= idlenessNanos;
            } else {
                withoutPartitionsSince = 0;
                allIdle = partitions.values().stream().allMatch(p -> p.idle);
            }
            if (mainIdle == null || mainIdle != allIdle) {
                if (allIdle) {
                    main.markIdle();
                } else {
                    main.markActive();
                }
                mainIdle = allIdle;
            }
        }

        private void answered(Map<TopicPartition, PartitionEnds.Answer> answers, long now) {
            if (answers == null) {
                return;
            }
            answersFailing = false;
            for (Partition p : partitions.values()) {
                PartitionEnds.Answer answer = answers.get(p.topicPartition);
                // An answer holds only if no event came since the question.
                if (answer == null || p.idle || p.events != p.eventsAtCheck) {
                    continue;
                }
                long from = asked.get(p.topicPartition).from();
                p.until = answer.end();
                if (!answer.recordsWait()) {
                    p.idle = true;
                    splitOutput(p).markIdle();
                    LOG.info("sysmon-cep: partition {} idle: read to offset {}, no event for {} ms", p.topicPartition,
                            answer.end(), TimeUnit.NANOSECONDS.toMillis(now - p.quietSince));
                } else if (!p.heldBack) {
                    p.heldBack = true;
                    LOG.info("sysmon-cep: partition {} stays active: no event for {} ms, but records wait unread from "
                            + "offset {} to {}", p.topicPartition, TimeUnit.NANOSECONDS.toMillis(now - p.quietSince),
                            from, answer.end());
                }
            }
        }

        /** Where reading the partition goes on: after its last record handed on, else where its split starts. */
        private long from(Partition p) {
            long next = deserializer.nextOffset(p.topicPartition);
            return next >= 0 ? next : p.startingOffset;
        }

        /** The split's own output, with its watermark: the operator made it when the split came, and gives it again. */
        private SourceOutput<SysmonRecord> splitOutput(Partition p) {
            return main.createOutputForSplit(p.topicPartition.toString());
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            CompletableFuture<Void> available = reader.isAvailable();
            if (available.isDone()) {
                return available;
            }
            // Without records the checks still run (splits may come meanwhile): woken when the next one is due.
            if (wakeUp == null || wakeUp.isDone()) {
                wakeUp = CompletableFuture.runAsync(() -> {},
                        CompletableFuture.delayedExecutor(checkEveryNanos, TimeUnit.NANOSECONDS));
            }
            return available.applyToEither(wakeUp, ignored -> null);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            for (KafkaPartitionSplit split : splits) {
                partitions.put(split.splitId(), new Partition(split));
            }
            reader.addSplits(splits);
        }

        @Override
        public void close() throws Exception {
            try {
                reader.close();
            } finally {
                ends.close();
            }
        }

        /** The reader's output as the Kafka reader sees it: each split's output counts the events it hands on. */
        private final class Output implements ReaderOutput<SysmonRecord> {
            private final ReaderOutput<SysmonRecord> output;

            Output(ReaderOutput<SysmonRecord> output) {
                this.output = output;
            }

            @Override
            public SourceOutput<SysmonRecord> createOutputForSplit(String splitId) {
                return new CountingOutput(output.createOutputForSplit(splitId), partitions.get(splitId));
            }

            @Override
            public void releaseOutputForSplit(String splitId) {
                partitions.remove(splitId);
                output.releaseOutputForSplit(splitId);
            }

            @Override
            public void collect(SysmonRecord record) {
                output.collect(record);
            }

            @Override
            public void collect(SysmonRecord record, long timestamp) {
                output.collect(record, timestamp);
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                output.emitWatermark(watermark);
            }

            @Override
            public void markIdle() {
                output.markIdle();
            }

            @Override
            public void markActive() {
                output.markActive();
            }
        }
    }

    /** A split's output that counts the Sysmon events handed on through it. */
    private static final class CountingOutput implements SourceOutput<SysmonRecord> {
        private final SourceOutput<SysmonRecord> output;
        private final Partition partition;

        CountingOutput(SourceOutput<SysmonRecord> output, Partition partition) {
            this.output = output;
            this.partition = partition;
        }

        @Override
        public void collect(SysmonRecord record) {
            count(record);
            output.collect(record);
        }

        @Override
        public void collect(SysmonRecord record, long timestamp) {
            count(record);
            output.collect(record, timestamp);
        }

        private void count(SysmonRecord record) {
            if (record.hasEventTime()) { // an event checked without decoding moves the watermark too
                partition.events++;
            }
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            output.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }
    }
}
