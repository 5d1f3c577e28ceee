package dev.sysmoncep.read;

import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.LineTally;
import dev.sysmoncep.records.SysmonRecord;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * Reads Sysmon log files for Flink's FileSource, recognising lines as it reads them (in the
 * source's fetcher thread): a record for each line some rule may match and each dead letter, each
 * knowing its file and line number (or byte offset, see {@link FileReader}), and between them a
 * {@link LineTally} of the lines no rule can match, which a {@link LineFilter} tells before any
 * parsing. Tallied events move no watermark, which a BATCH replay does not use. What a file holds
 * is told by its name and its head ({@link LogLines#whole}): compressed ({@code .gz}, {@code .bz2},
 * {@code .xz}, {@code .zst}, {@code .deflate}, in any letter case), a zip archive, UTF-16, old Mac
 * line ends or a JSON array are read whole; plain UTF-8 text may be split by byte range
 * ({@link ByteRangeSplits}). A file that cannot be read to its end fails the job with an
 * {@link UnreadableFileException} naming it. Given a run id registered with {@link ReadProgress},
 * the readers report their progress there.
 */
public final class SysmonFileFormat implements BulkFormat<SysmonRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    /** Lines per batch a reader hands over; progress and checkpoint bookkeeping happen once per batch. */
    static final int BATCH_LINES = 1024;

    private final int maxLineBytes;
    /** The {@link ReadProgress} run the readers report to, or null. */
    private final String progressRunId;
    /** Tells the lines no rule can match, which are tallied instead of sent on; null: every line may match. */
    private final LineFilter candidates;
    /** Whether those lines are left unparsed (the fast path) rather than checked and dead-lettered if bad. */
    private final boolean skipUnmatchableLines;

    /** Every line its own record. */
    public SysmonFileFormat(int maxLineBytes) {
        this(maxLineBytes, null, null, false);
    }

    public SysmonFileFormat(int maxLineBytes, String progressRunId, LineFilter candidates,
            boolean skipUnmatchableLines) {
        if (skipUnmatchableLines && candidates == null) {
            throw new IllegalArgumentException("skipping unmatchable lines needs the filter that tells them");
        }
        this.maxLineBytes = maxLineBytes;
        this.progressRunId = progressRunId;
        this.candidates = candidates;
        this.skipUnmatchableLines = skipUnmatchableLines;
    }

    @Override
    public Reader<SysmonRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, null, maxLineBytes, ReadProgress.of(progressRunId), candidates, skipUnmatchableLines);
    }

    @Override
    public Reader<SysmonRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader(split, split.getReaderPosition().orElse(null), maxLineBytes,
                ReadProgress.of(progressRunId), candidates, skipUnmatchableLines);
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
        private final LogLines lines;
        private final SysmonLineParser parser;
        private final int maxLineBytes;
        private final ReadProgress progress;
        private final LineFilter candidates;
        /** What the structural scan found the current line to be, or null when it was not scanned. */
        private SysmonRecord.Kind checked;
        /** Lines starting at or after this offset belong to the next split. */
        private final long end;
        private final long splitBytes;
        private final long fileBytes;
        /** Whether lines are counted from the file's start, so their numbers are known. */
        private final boolean numbered;
        private final boolean skipUnmatchableLines;
        private long lineNumber;
        private long bytesReported;
        private boolean lineIsCandidate;

        FileReader(FileSourceSplit split, CheckpointedPosition restored, int maxLineBytes, ReadProgress progress,
                LineFilter candidates, boolean skipUnmatchableLines) throws IOException {
            this.candidates = candidates;
            this.skipUnmatchableLines = skipUnmatchableLines;
            this.path = split.path();
            this.file = path.toString();
            this.maxLineBytes = maxLineBytes;
            this.progress = progress;
            this.parser = new SysmonLineParser(maxLineBytes);
            this.splitBytes = split.length();
            this.fileBytes = split.fileSize();
            this.numbered = split.offset() == 0;
            // Only plain text is cut into ranges (ByteRangeSplits); every other file is one split, read whole.
            boolean ranged = split.length() < split.fileSize();
            this.end = ranged ? split.offset() + split.length() : Long.MAX_VALUE;
            long skipLines = restored == null ? 0 : restored.getRecordsAfterOffset();
            boolean restoredAtOffset = restored != null && restored.getOffset() != CheckpointedPosition.NO_OFFSET;
            try {
                this.raw = path.getFileSystem().open(path);
                if (restoredAtOffset) {
                    raw.seek(restored.getOffset()); // a line start, checkpointed by a mid-file split
                    this.lines = new TextLines(new LineReader(raw, maxLineBytes, restored.getOffset()), raw, file, false);
                } else if (!numbered) {
                    this.lines = new TextLines(LineReader.fromOffset(raw, split.offset(), maxLineBytes), raw, file, false);
                } else {
                    this.lines = LogLines.whole(raw, file, path.getName(), maxLineBytes);
                }
                bytesReported = restoredAtOffset ? restored.getOffset() : split.offset();
                for (long skipped = 0; skipped < skipLines && lines.next(); skipped++) {
                    lineNumber++;
                }
            } catch (IOException e) {
                throw new UnreadableFileException(path, lineNumber, e);
            }
        }

        @Override
        public RecordIterator<SysmonRecord> readBatch() throws IOException {
            Batch batch = new Batch(numbered ? CheckpointedPosition.NO_OFFSET : lines.nextLineStart());
            LineTally tally = null;
            long tallyPosition = 0;
            int read = 0;
            long events = 0;
            int deadLetters = 0;
            try {
                // A batch ends with a line, so that a mid-file split's checkpointed offset is a line's start.
                while ((read < BATCH_LINES || lines.moreInLine()) && lines.nextLineStart() < end && lines.next()) {
                    lineNumber++;
                    read++;
                    // Where to resume after this line: lines to skip from the file's start, or from the batch's first line.
                    long position = numbered ? lineNumber : read;
                    SysmonRecord record = recognise();
                    if (record == null || !lineIsCandidate && record.kind != SysmonRecord.Kind.DEAD_LETTER) {
                        if (tally == null) {
                            tally = new LineTally();
                        }
                        if (record == null && checked == null) {
                            tally.addUnparsed();
                        } else if (record == null) {
                            tally.add(checked, parser.classifiedFormat());
                        } else {
                            tally.add(record);
                        }
                        tallyPosition = position;
                        continue;
                    }
                    if (tally != null) {
                        events += tally.events();
                        batch.add(SysmonRecord.tally(tally), tallyPosition);
                        tally = null;
                    }
                    if (record.kind == SysmonRecord.Kind.EVENT) {
                        events++;
                    } else if (record.kind == SysmonRecord.Kind.DEAD_LETTER) {
                        deadLetters++;
                    }
                    batch.add(record, position);
                }
            } catch (IOException e) {
                throw new UnreadableFileException(path, lineNumber, e);
            }
            if (tally != null) {
                events += tally.events();
                batch.add(SysmonRecord.tally(tally), tallyPosition);
            }
            if (progress != null) {
                report(read, events, deadLetters);
            }
            return read == 0 ? null : batch;
        }

        /** Once per batch: bytes consumed of the stored file, and what the lines became. */
        private void report(int read, long events, int deadLetters) throws IOException {
            // Reading runs ahead into the next split; those bytes are the next split's to report.
            long position = Math.min(raw.getPos(), end);
            progress.batchRead(position - bytesReported, read, events, deadLetters);
            bytesReported = position;
            if (read == 0) {
                progress.splitDone(file, splitBytes, fileBytes); // an empty batch ends the split
            }
        }

        /**
         * The current line as a record, or null for a line the filter rules out: left unparsed, or
         * checked by the parser's structural scan without decoding, which then sets {@link #checked}
         * to what the line is. Sets {@link #lineIsCandidate}: whether some rule may match the line.
         * A line the scan cannot vouch for gets the full parse, so its dead letter has the same reason.
         */
        private SysmonRecord recognise() {
            checked = null;
            if (lines.overLimit()) {
                lineIsCandidate = true;
                return DeadLetter.overLimit(lines.origin(), lines.fullLength(), maxLineBytes,
                        lines.lineBuffer(), lines.lineOffset(), lines.lineLength());
            }
            byte[] buf = lines.lineBuffer();
            int off = lines.lineOffset();
            int len = lines.lineLength();
            lineIsCandidate = candidates == null || candidates.mayMatch(buf, off, len);
            if (!lineIsCandidate) {
                if (skipUnmatchableLines) {
                    return null;
                }
                if (parser.classify(buf, off, len)) {
                    checked = parser.classifiedKind();
                    return null;
                }
            }
            return parser.parse(buf, off, len, lines.origin());
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    /**
     * The records of one batch, each with the position to resume from after it: the lines to skip
     * from the file's start (or from the batch's first line, whose offset it carries), so a tally
     * accounts for its lines in a checkpoint exactly as single records do.
     */
    private static final class Batch implements RecordIterator<SysmonRecord> {
        private final long offset;
        private final MutableRecordAndPosition<SysmonRecord> current = new MutableRecordAndPosition<>();
        private SysmonRecord[] records = new SysmonRecord[16];
        private long[] skipCounts = new long[16];
        private int size;
        private int next;

        Batch(long offset) {
            this.offset = offset;
        }

        void add(SysmonRecord record, long skipCount) {
            if (size == records.length) {
                records = Arrays.copyOf(records, size * 2);
                skipCounts = Arrays.copyOf(skipCounts, size * 2);
            }
            records[size] = record;
            skipCounts[size] = skipCount;
            size++;
        }

        @Override
        public RecordAndPosition<SysmonRecord> next() {
            if (next == size) {
                return null;
            }
            current.set(records[next], offset, skipCounts[next]);
            next++;
            return current;
        }

        @Override
        public void releaseBatch() {}
    }
}
