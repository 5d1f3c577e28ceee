package dev.sysmoncep.detect.live;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.read.kafka.ForwardingSourceReader;
import dev.sysmoncep.read.kafka.IdleAtEndSource;
import dev.sysmoncep.read.kafka.SysmonRecordDeserializer;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.RuleFileVersion;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord;
import java.util.ArrayDeque;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The stream's Kafka source, with its rules read live from a rules topic. The enumerator (one, on
 * the JobManager) follows the topic, decides on each new record ({@link RulesTopicEnumerator}) and
 * sends every reader each version it accepts; a reader puts the version in force for the records it
 * reads from then on: its byte pre-filter takes the version's literals at once, and the version goes
 * downstream as a RULES record between the events, where the router switches to it at the same
 * point. A refused record goes downstream from one reader as a dead letter with its reason.
 *
 * <p>A reader reads nothing before the enumerator has told it the version in force (at once when
 * it registers): after a restore, the first records are matched with the restored version, not
 * with the file the job was started with.
 */
public final class RulesTopicSource
        implements Source<SysmonRecord, KafkaPartitionSplit, RulesTopicState>, ResultTypeQueryable<SysmonRecord> {
    private static final long serialVersionUID = 1L;

    private final IdleAtEndSource events;
    private final RuleSet jobRules;
    private final String topic;
    /** Where a job without a checkpoint starts following the topic: after the record it started from. */
    private final long fromOffset;
    private final Properties client;

    /**
     * @param jobRules the rules the job's operators were made from, in force until the topic says otherwise
     * @param fromOffset the rules topic's offset to follow from, when the job starts without a checkpoint
     * @param client Kafka client properties for the topic, with bootstrap.servers and group.id
     */
    public RulesTopicSource(IdleAtEndSource events, RuleSet jobRules, String topic, long fromOffset, Properties client) {
        this.events = events;
        this.jobRules = jobRules;
        this.topic = topic;
        this.fromOffset = fromOffset;
        this.client = client;
    }

    @Override
    public TypeInformation<SysmonRecord> getProducedType() {
        return events.getProducedType();
    }

    @Override
    public Boundedness getBoundedness() {
        return events.getBoundedness();
    }

    @Override
    public SourceReader<SysmonRecord, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return new Reader(events.createReader(context), events.deserializer());
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, RulesTopicState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        return new RulesTopicEnumerator(events.createEnumerator(context), context, jobRules, topic, client,
                jobRules.fileVersion(), fromOffset);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, RulesTopicState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, RulesTopicState checkpoint) throws Exception {
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka = events.restoreEnumerator(context, checkpoint.kafka());
        RuleFileVersion restored = checkpoint.inForce();
        // A job restarted with a newer file (to make a change no running job can take) goes on with it.
        RuleFileVersion inForce = restored == null || jobRules.fileVersion().version >= restored.version
                ? jobRules.fileVersion() : restored;
        return new RulesTopicEnumerator(kafka, context, jobRules, topic, client, inForce,
                checkpoint.nextOffset() >= 0 ? checkpoint.nextOffset() : fromOffset);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return events.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<RulesTopicState> getEnumeratorCheckpointSerializer() {
        return new RulesTopicState.Serializer(events.getEnumeratorCheckpointSerializer());
    }

    /** The enumerator's word to readers: this version is in force from now on. */
    record RulesInForce(RuleFileVersion version) implements SourceEvent {
        private static final long serialVersionUID = 1L;
    }

    /** The enumerator's word to one reader: this record of the rules topic was refused, and why. */
    record RulesRefused(String topic, int partition, long offset, String reason, byte[] value) implements SourceEvent {
        private static final long serialVersionUID = 1L;

        SysmonRecord deadLetter() {
            byte[] raw = value == null ? new byte[0] : value;
            return SysmonRecord.deadLetter(SourceFormat.UNKNOWN, DeadLetter.of(Origin.kafka(topic, partition, offset),
                    "rules not applied: " + reason, raw, 0, raw.length));
        }
    }

    private static final class Reader extends ForwardingSourceReader<SysmonRecord, KafkaPartitionSplit> {
        private final SysmonRecordDeserializer deserializer;
        /** What the enumerator said, to go downstream before the next record read. */
        private final ArrayDeque<SysmonRecord> toSend = new ArrayDeque<>();
        private boolean told;
        private CompletableFuture<Void> word = new CompletableFuture<>();

        Reader(SourceReader<SysmonRecord, KafkaPartitionSplit> reader, SysmonRecordDeserializer deserializer) {
            super(reader);
            this.deserializer = deserializer;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<SysmonRecord> output) throws Exception {
            SysmonRecord next = toSend.poll();
            if (next != null) {
                if (next.kind == SysmonRecord.Kind.RULES) {
                    deserializer.candidates(CandidateFilter.of(RuleSet.of(next.rules)));
                    told = true;
                }
                // Not a split's record: on the reader's own output, which moves no watermark for it.
                output.collect(next);
                return InputStatus.MORE_AVAILABLE;
            }
            return told ? reader.pollNext(output) : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            if (!toSend.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            if (word.isDone()) {
                word = new CompletableFuture<>();
            }
            return told ? reader.isAvailable().applyToEither(word, ignored -> null) : word;
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            if (event instanceof RulesInForce inForce) {
                toSend.add(SysmonRecord.rules(inForce.version()));
                word.complete(null);
            } else if (event instanceof RulesRefused refused) {
                toSend.add(refused.deadLetter());
                word.complete(null);
            } else {
                reader.handleSourceEvents(event);
            }
        }

    }
}
