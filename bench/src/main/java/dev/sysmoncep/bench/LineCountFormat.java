package dev.sysmoncep.bench;

import dev.sysmoncep.read.LineReader;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;

/**
 * The raw read limit in the job's own harness: a FileSource format that reads and splits lines as
 * the job's reader does (same {@link LineReader}, the same byte ranges of uncompressed files read
 * in parallel, compressed files decompressed alike and whole) and only counts them, one record per
 * batch instead of one per line.
 */
final class LineCountFormat implements BulkFormat<Long, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH_LINES = 512;

    private final int maxLineBytes;

    LineCountFormat(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Reader<Long> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new Counter(split, maxLineBytes);
    }

    @Override
    public Reader<Long> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return createReader(config, split);
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<Long> getProducedType() {
        return Types.LONG;
    }

    private static final class Counter implements Reader<Long> {
        private final InputStream stream;
        private final LineReader lines;
        /** Lines starting at or after this offset belong to the next split. */
        private final long end;

        Counter(FileSourceSplit split, int maxLineBytes) throws IOException {
            Path path = split.path();
            FSDataInputStream raw = path.getFileSystem().open(path);
            InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getPath());
            this.stream = inflater == null ? raw : inflater.create(raw);
            this.lines = inflater == null ? LineReader.fromOffset(raw, split.offset(), maxLineBytes)
                    : new LineReader(stream, maxLineBytes);
            this.end = inflater == null ? split.offset() + split.length() : Long.MAX_VALUE;
        }

        @Override
        public RecordIterator<Long> readBatch() throws IOException {
            long n = 0;
            while (n < BATCH_LINES && lines.nextLineStart() < end && lines.next()) {
                n++;
            }
            if (n == 0) {
                return null;
            }
            SingletonResultIterator<Long> batch = new SingletonResultIterator<>();
            batch.set(n, 0, 0);
            return batch;
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
