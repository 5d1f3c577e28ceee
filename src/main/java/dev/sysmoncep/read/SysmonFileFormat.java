package dev.sysmoncep.read;

import dev.sysmoncep.recognise.DeadLetter;
import dev.sysmoncep.recognise.SourceFormat;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.recognise.SysmonRecord;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * Reads Sysmon log files for Flink's FileSource: one record per line, recognised as it is read
 * (in the source's fetcher thread), each knowing its file and line number. Files ending in
 * {@code .gz}, {@code .bz2}, {@code .xz} or {@code .deflate} are decompressed on the fly. A file is
 * one split; its position is the number of lines already emitted, so a restored reader skips them.
 */
public final class SysmonFileFormat implements BulkFormat<SysmonRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH_LINES = 512;

    private final int maxLineBytes;

    public SysmonFileFormat(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Reader<SysmonRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, 0, maxLineBytes);
    }

    @Override
    public Reader<SysmonRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long linesDone = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new FileReader(split, linesDone, maxLineBytes);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<SysmonRecord> getProducedType() {
        return TypeInformation.of(SysmonRecord.class);
    }

    private static final class FileReader implements Reader<SysmonRecord> {
        private final String file;
        private final InputStream stream;
        private final LineReader lines;
        private final SysmonLineParser parser;
        private final int maxLineBytes;
        private long lineNumber;

        FileReader(FileSourceSplit split, long linesDone, int maxLineBytes) throws IOException {
            Path path = split.path();
            this.file = path.toString();
            this.maxLineBytes = maxLineBytes;
            this.parser = new SysmonLineParser(maxLineBytes);
            FSDataInputStream raw = path.getFileSystem().open(path);
            InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getPath());
            this.stream = inflater == null ? raw : inflater.create(raw);
            this.lines = new LineReader(stream, maxLineBytes);
            while (lineNumber < linesDone && lines.next()) {
                lineNumber++;
            }
        }

        @Override
        public RecordIterator<SysmonRecord> readBatch() throws IOException {
            SysmonRecord[] batch = new SysmonRecord[BATCH_LINES];
            long before = lineNumber;
            int n = 0;
            while (n < BATCH_LINES && lines.next()) {
                lineNumber++;
                batch[n++] = recognise();
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<SysmonRecord> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, before);
            return it;
        }

        private SysmonRecord recognise() {
            Origin origin = Origin.fileLine(file, lineNumber);
            if (lines.overLimit()) {
                DeadLetter d = DeadLetter.of(origin, "line of " + lines.fullLength() + " bytes is over the limit of "
                        + maxLineBytes + " bytes", lines.lineBuffer(), lines.lineOffset(), lines.lineLength());
                d.length = lines.fullLength();
                return SysmonRecord.deadLetter(SourceFormat.UNKNOWN, d);
            }
            return parser.parse(lines.lineBuffer(), lines.lineOffset(), lines.lineLength(), origin);
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
