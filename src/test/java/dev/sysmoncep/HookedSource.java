package dev.sysmoncep;

import dev.sysmoncep.read.kafka.ForwardingSourceReader;
import java.io.Serializable;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source that is the given one, but whose readers run a hook on the task thread before they hand
 * each record on (to fail there, or to take time there): splits, offsets, watermarks and checkpoints
 * are all the wrapped source's own.
 */
public final class HookedSource<T, S extends SourceSplit, E> implements Source<T, S, E>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    /** What runs before each record; serializable, as it travels with the source to the task. */
    public interface Hook extends Serializable {
        void beforeRecord();
    }

    private final Source<T, S, E> source;
    private final Hook hook;

    public HookedSource(Source<T, S, E> source, Hook hook) {
        this.source = source;
        this.hook = hook;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) source).getProducedType();
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<T, S> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(source.createReader(context), hook);
    }

    @Override
    public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> context) throws Exception {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> context, E checkpoint) throws Exception {
        return source.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<S> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    private static final class Reader<T, S extends SourceSplit> extends ForwardingSourceReader<T, S> {
        private final Hook hook;
        private Output<T> output;

        Reader(SourceReader<T, S> reader, Hook hook) {
            super(reader);
            this.hook = hook;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> readerOutput) throws Exception {
            if (output == null || output.output != readerOutput) {
                output = new Output<>(readerOutput, hook);
            }
            return reader.pollNext(output);
        }
    }

    /** The reader's output, and each split's (the Kafka reader emits through per-partition outputs). */
    private static class SplitOutput<T> implements SourceOutput<T> {
        private final SourceOutput<T> output;
        final Hook hook;

        SplitOutput(SourceOutput<T> output, Hook hook) {
            this.output = output;
            this.hook = hook;
        }

        @Override
        public void collect(T record) {
            hook.beforeRecord();
            output.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            hook.beforeRecord();
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

    private static final class Output<T> extends SplitOutput<T> implements ReaderOutput<T> {
        private final ReaderOutput<T> output;

        Output(ReaderOutput<T> output, Hook hook) {
            super(output, hook);
            this.output = output;
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            return new SplitOutput<>(output.createOutputForSplit(splitId), hook);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            output.releaseOutputForSplit(splitId);
        }
    }
}
