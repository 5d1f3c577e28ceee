package dev.sysmoncep.read.kafka;

import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the value of each Kafka record as one Sysmon line (XML or JSON, as in a file) and recognises
 * it as the source emits it (in the task thread, not the Kafka fetcher), knowing its topic, partition
 * and offset. Never throws: a record without a value, one over the line limit, or one that is no
 * Sysmon event becomes a dead letter, so one bad record never stops the job. The record key is not read.
 */
public final class SysmonRecordDeserializer implements KafkaRecordDeserializationSchema<SysmonRecord> {
    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;
    private transient SysmonLineParser parser;

    public SysmonRecordDeserializer(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new SysmonLineParser(maxLineBytes);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SysmonRecord> out) {
        out.collect(recognise(record));
    }

    SysmonRecord recognise(ConsumerRecord<byte[], byte[]> record) {
        Origin origin = Origin.kafka(record.topic(), record.partition(), record.offset());
        byte[] value = record.value();
        if (value == null) {
            return deadLetter(origin, "record has no value (null, as a tombstone)", new byte[0], 0);
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
