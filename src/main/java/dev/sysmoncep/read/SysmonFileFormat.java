package dev.sysmoncep.read;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.recognise.DeadLetter;
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
 * A file that cannot be read to its end fails the job with an {@link UnreadableFileException}
 * naming it. Given a run id registered with {@link ReadProgress}, the readers report their
 * progress there.
 */
public final class SysmonFileFormat implements BulkFormat<SysmonRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH_LINES = 512;

    private final int maxLineBytes;
    /** The {@link ReadProgress} run the readers report to, or null. */
    private final String progressRunId;
    /** Lines it rejects are left unparsed (the fast path); null parses every line. */
    private final CandidateFilter candidates;

    public SysmonFileFormat(int maxLineBytes) {
        this(maxLineBytes, null, null);
    }

    public SysmonFileFormat(int maxLineBytes, String progressRunId, CandidateFilter candidates) {
        this.maxLineBytes = maxLineBytes;
        this.progressRunId = progressRunId;
        this.candidates = candidates;
    }

    @Override
    public Reader<SysmonRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, 0, maxLineBytes, ReadProgress.of(progressRunId), candidates);
    }

    @Override
    public Reader<SysmonRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long linesDone = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new FileReader(split, linesDone, maxLineBytes, ReadProgress.of(progressRunId), candidates);
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
        private final Path path;
        private final String file;
        private final FSDataInputStream raw;
        private final InputStream stream;
        private final LineReader lines;
        private final SysmonLineParser parser;
        private final int maxLineBytes;
        private final ReadProgress progress;
        private final CandidateFilter candidates;
        private long lineNumber;
        private long bytesReported;

        FileReader(FileSourceSplit split, long linesDone, int maxLineBytes, ReadProgress progress,
                CandidateFilter candidates) throws IOException {
            this.candidates = candidates;
            this.path = split.path();
            this.file = path.toString();
            this.maxLineBytes = maxLineBytes;
            this.progress = progress;
            this.parser = new SysmonLineParser(maxLineBytes);
            try {
                this.raw = path.getFileSystem().open(path);
                InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getPath());
                this.stream = inflater == null ? raw : inflater.create(raw);
                this.lines = new LineReader(stream, maxLineBytes);
                while (lineNumber < linesDone && lines.next()) {
                    lineNumber++;
                }
            } catch (IOException e) {
                throw new UnreadableFileException(path, lineNumber, e);
            }
        }

        @Override
        public RecordIterator<SysmonRecord> readBatch() throws IOException {
            SysmonRecord[] batch = new SysmonRecord[BATCH_LINES];
            long before = lineNumber;
            int n = 0;
            try {
                while (n < BATCH_LINES && lines.next()) {
                    lineNumber++;
                    batch[n++] = recognise();
                }
            } catch (IOException e) {
                throw new UnreadableFileException(path, lineNumber, e);
            }
            if (progress != null) {
                report(batch, n);
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<SysmonRecord> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, before);
            return it;
        }

        /** Once per batch: bytes consumed of the stored file, and what the lines became. */
        private void report(SysmonRecord[] batch, int n) throws IOException {
            int events = 0;
            int deadLetters = 0;
            for (int i = 0; i < n; i++) {
                SysmonRecord.Kind kind = batch[i].kind;
                if (kind == SysmonRecord.Kind.EVENT) {
                    events++;
                } else if (kind == SysmonRecord.Kind.DEAD_LETTER) {
                    deadLetters++;
                }
            }
            long position = raw.getPos();
            progress.batchRead(position - bytesReported, n, events, deadLetters);
            bytesReported = position;
            if (n == 0) {
                progress.fileDone(); // an empty batch ends the split: the file has been read
            }
        }

        private SysmonRecord recognise() {
            if (lines.overLimit()) {
                return DeadLetter.overLimit(Origin.fileLine(file, lineNumber), lines.fullLength(), maxLineBytes,
                        lines.lineBuffer(), lines.lineOffset(), lines.lineLength());
            }
            if (candidates != null && !candidates.mayMatch(lines.lineBuffer(), lines.lineOffset(), lines.lineLength())) {
                return SysmonRecord.notACandidate();
            }
            return parser.parse(lines.lineBuffer(), lines.lineOffset(), lines.lineLength(),
                    Origin.fileLine(file, lineNumber));
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
