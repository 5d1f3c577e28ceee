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
 * (in the source's fetcher thread), each knowing its file and line number (or byte offset, see
 * {@link FileReader}). Files ending in {@code .gz}, {@code .bz2}, {@code .xz} or {@code .deflate}
 * are decompressed on the fly and read whole; others may be split by byte range ({@link ByteRangeSplits}).
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
        return new FileReader(split, null, maxLineBytes, ReadProgress.of(progressRunId), candidates);
    }

    @Override
    public Reader<SysmonRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, split.getReaderPosition().orElse(null), maxLineBytes,
                ReadProgress.of(progressRunId), candidates);
    }

    /** Uncompressed files can be read in byte ranges ({@link ByteRangeSplits}); compressed ones only whole. */
    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<SysmonRecord> getProducedType() {
        return TypeInformation.of(SysmonRecord.class);
    }

    /**
     * Reads the lines that start within its split's byte range: the last may run past the range's
     * end, and a split that begins mid-file skips the line it begins in, which the split before it
     * reads. A split from the start of a file (so every whole or compressed file) counts line
     * numbers and checkpoints the lines it has emitted; a later split names lines by byte offset
     * and checkpoints the offset of a batch's first line and the lines emitted after it.
     */
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
        /** Lines starting at or after this offset belong to the next split. */
        private final long end;
        private final long splitBytes;
        private final long fileBytes;
        /** Whether lines are counted from the file's start, so their numbers are known. */
        private final boolean numbered;
        private long lineNumber;
        private long bytesReported;

        FileReader(FileSourceSplit split, CheckpointedPosition restored, int maxLineBytes, ReadProgress progress,
                CandidateFilter candidates) throws IOException {
            this.candidates = candidates;
            this.path = split.path();
            this.file = path.toString();
            this.maxLineBytes = maxLineBytes;
            this.progress = progress;
            this.parser = new SysmonLineParser(maxLineBytes);
            this.splitBytes = split.length();
            this.fileBytes = split.fileSize();
            InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getPath());
            this.numbered = split.offset() == 0;
            this.end = inflater != null ? Long.MAX_VALUE : split.offset() + split.length();
            long skipLines = restored == null ? 0 : restored.getRecordsAfterOffset();
            try {
                this.raw = path.getFileSystem().open(path);
                if (inflater != null) {
                    this.stream = inflater.create(raw);
                    this.lines = new LineReader(stream, maxLineBytes);
                } else if (restored != null && restored.getOffset() != CheckpointedPosition.NO_OFFSET) {
                    raw.seek(restored.getOffset()); // a line start, checkpointed by a mid-file split
                    this.stream = raw;
                    this.lines = new LineReader(stream, maxLineBytes, restored.getOffset());
                } else if (numbered) {
                    this.stream = raw;
                    this.lines = new LineReader(stream, maxLineBytes);
                } else {
                    // From the byte before the range: the line it ends (perhaps just that newline) is the previous split's.
                    raw.seek(split.offset() - 1);
                    this.stream = raw;
                    this.lines = new LineReader(stream, maxLineBytes, split.offset() - 1);
                    lines.next();
                }
                bytesReported = inflater != null ? 0 : restored != null && restored.getOffset() != CheckpointedPosition.NO_OFFSET
                        ? restored.getOffset() : split.offset();
                for (long skipped = 0; skipped < skipLines && lines.next(); skipped++) {
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
            long batchStart = lines.nextLineStart();
            int n = 0;
            try {
                while (n < BATCH_LINES && lines.nextLineStart() < end && lines.next()) {
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
            if (numbered) {
                it.set(batch, n, CheckpointedPosition.NO_OFFSET, before);
            } else {
                it.set(batch, n, batchStart, 0);
            }
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
            // Reading runs ahead into the next split; those bytes are the next split's to report.
            long position = Math.min(raw.getPos(), end);
            progress.batchRead(position - bytesReported, n, events, deadLetters);
            bytesReported = position;
            if (n == 0) {
                progress.splitDone(file, splitBytes, fileBytes); // an empty batch ends the split
            }
        }

        private SysmonRecord recognise() {
            if (lines.overLimit()) {
                return DeadLetter.overLimit(origin(), lines.fullLength(), maxLineBytes,
                        lines.lineBuffer(), lines.lineOffset(), lines.lineLength());
            }
            if (candidates != null && !candidates.mayMatch(lines.lineBuffer(), lines.lineOffset(), lines.lineLength())) {
                return SysmonRecord.notACandidate();
            }
            return parser.parse(lines.lineBuffer(), lines.lineOffset(), lines.lineLength(), origin());
        }

        private Origin origin() {
            return numbered ? Origin.fileLine(file, lineNumber) : Origin.fileOffset(file, lines.lineStart());
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
