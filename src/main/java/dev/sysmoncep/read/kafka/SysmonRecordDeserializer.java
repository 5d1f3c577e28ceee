package dev.sysmoncep.read.kafka;

import dev.sysmoncep.read.LineFilter;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the value of each Kafka record as one Sysmon line (XML or JSON, as in a file) and recognises
 * it as the source emits it (in the task thread, not the Kafka fetcher), knowing its topic, partition
 * and offset. Never throws: a record without a value, one over the line limit, or one that is no
 * Sysmon event becomes a dead letter, so one bad record never stops the job. The record key is not read.
 * A record no rule can match is checked as the replay checks such lines, by a structural scan that
 * finds its event time (for the watermark) without decoding it; only a faulty one is parsed, for its
 * dead letter's reason.
 *
 * <p>It also keeps, per partition, the offset after the last record it handed on: how far the source
 * reader has read, which {@link IdleAtEndSource} compares with the partition's end before it lets the
 * partition go idle.
 */
public final class SysmonRecordDeserializer implements KafkaRecordDeserializationSchema<SysmonRecord> {
    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;
    /**
     * Tells the records some rule may match; the others are only checked. Null: every record is parsed.
     * A stream with a rules topic sets another at each new version, on the task thread, between records.
     */
    private LineFilter candidates;
    private transient SysmonLineParser parser;
    private transient Map<TopicPartition, long[]> nextOffsets;
    /** The last record's partition and its entry: records come in runs of one partition. */
    private transient String lastTopic;
    private transient int lastPartition;
    private transient long[] lastNext;

    public SysmonRecordDeserializer(int maxLineBytes, LineFilter candidates) {
        this.maxLineBytes = maxLineBytes;
        this.candidates = candidates;
    }

    /** From the next record on, the records these rules may match are parsed; call it on the task thread. */
    public void candidates(LineFilter filter) {
        this.candidates = filter;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new SysmonLineParser(maxLineBytes);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SysmonRecord> out) {
        out.collect(recognise(record));
        readUpTo(record.topic(), record.partition(), record.offset() + 1);
    }

    private void readUpTo(String topic, int partition, long next) {
        if (lastNext == null || partition != lastPartition || !topic.equals(lastTopic)) {
            if (nextOffsets == null) {
                nextOffsets = new HashMap<>();
            }
            lastNext = nextOffsets.computeIfAbsent(new TopicPartition(topic, partition), tp -> new long[1]);
            lastTopic = topic;
            lastPartition = partition;
        }
        lastNext[0] = next;
    }

    /**
     * The offset after the last record of the partition handed on so far, or -1 before its first;
     * on the task thread, which also runs {@link #deserialize}.
     */
    long nextOffset(TopicPartition partition) {
        long[] next = nextOffsets == null ? null : nextOffsets.get(partition);
        return next == null ? -1 : next[0];
    }

    SysmonRecord recognise(ConsumerRecord<byte[], byte[]> record) {
        Origin origin = Origin.kafka(record.topic(), record.partition(), record.offset());
        byte[] value = record.value();
        if (value == null) {
            return deadLetter(origin, "record has no value (null, as a tombstone)", new byte[0], 0);
        }
        if (candidates != null && !candidates.mayMatch(value, 0, value.length) && parser.classify(value, 0, value.length)) {
            return switch (parser.classifiedKind()) {
                case EVENT -> SysmonRecord.checkedEvent(parser.classifiedFormat(), parser.classifiedTime());
                case NOT_SYSMON -> SysmonRecord.notSysmon(parser.classifiedFormat());
                default -> SysmonRecord.blank();
            };
        }
        return parser.parse(value, 0, value.length, origin);
    }

    private static SysmonRecord deadLetter(Origin origin, String reason, byte[] value, int length) {
        return SysmonRecord.deadLetter(SourceFormat.UNKNOWN, DeadLetter.of(origin, reason, value, 0, length));
    }

    @Override
    public TypeInformation<SysmonRecord> getProducedType() {
        return TypeInformation.of(SysmonRecord.class);
    }
}
