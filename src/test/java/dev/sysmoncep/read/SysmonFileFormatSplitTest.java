package dev.sysmoncep.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.recognise.SysmonRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file read in byte ranges gives every line exactly once, wherever the ranges cut it. */
class SysmonFileFormatSplitTest {
    @TempDir
    java.nio.file.Path dir;

    /** Lines that are not events, so each comes back as a dead letter holding its bytes and place. */
    private record Line(String text, long offset, long number) {}

    private record Read(String text, Origin origin, CheckpointedPosition position) {}

    private final SysmonFileFormat format = new SysmonFileFormat(4096);

    @Test
    void everyLineIsReadOnceWhateverTheSplitSizeWithItsLineNumberOrByteOffset() throws IOException {
        List<Line> lines = new ArrayList<>();
        java.nio.file.Path file = writeLines(lines, "\n", true);
        long size = Files.size(file);
        for (long splitBytes : new long[] {1, 2, 3, 7, 50, 99, 100, 101, 1000, size - 1, size, size + 1}) {
            List<Read> read = new ArrayList<>();
            for (FileSourceSplit split : splits(file, splitBytes)) {
                read.addAll(readAll(format.createReader(new Configuration(), split)));
            }
            assertThat(read).as("split size %d", splitBytes).hasSize(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                Line line = lines.get(i);
                Read got = read.get(i);
                assertThat(got.text()).isEqualTo(line.text());
                Origin origin = got.origin();
                if (origin.byteOffset) {
                    assertThat(origin.position).as("offset of line %d", line.number()).isEqualTo(line.offset());
                    assertThat(origin.toString()).isEqualTo(origin.source + "@" + line.offset()).endsWith(file.getFileName() + "@" + line.offset());
                } else {
                    assertThat(origin.position).isEqualTo(line.number());
                    assertThat(line.offset()).as("a numbered line is in the file's first range").isLessThan(splitBytes);
                }
            }
        }
    }

    @Test
    void crLfLinesAndALastLineWithoutNewlineAreReadOnceToo() throws IOException {
        List<Line> lines = new ArrayList<>();
        java.nio.file.Path file = writeLines(lines, "\r\n", false);
        for (long splitBytes : new long[] {1, 13, 64, 257}) {
            List<String> texts = new ArrayList<>();
            for (FileSourceSplit split : splits(file, splitBytes)) {
                readAll(format.createReader(new Configuration(), split)).forEach(r -> texts.add(r.text()));
            }
            assertThat(texts).as("split size %d", splitBytes).containsExactlyElementsOf(lines.stream().map(Line::text).toList());
        }
    }

    @Test
    void aReaderRestoredFromAnyCheckpointedPositionGoesOnWithTheNextLine() throws IOException {
        List<Line> lines = new ArrayList<>();
        java.nio.file.Path file = writeLines(lines, "\n", true);
        for (FileSourceSplit split : splits(file, 700)) {
            List<Read> whole = readAll(format.createReader(new Configuration(), split));
            for (int i = 0; i < whole.size(); i++) {
                List<Read> rest = readAll(format.restoreReader(new Configuration(),
                        split.updateWithCheckpointedPosition(whole.get(i).position())));
                assertThat(rest).as("split at %d, after line %d", split.offset(), i)
                        .extracting(Read::text, Read::origin)
                        .containsExactlyElementsOf(whole.subList(i + 1, whole.size()).stream()
                                .map(r -> org.assertj.core.groups.Tuple.tuple(r.text(), r.origin())).toList());
            }
        }
    }

    private java.nio.file.Path writeLines(List<Line> lines, String newline, boolean lastNewline) throws IOException {
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        int count = 60;
        for (int i = 1; i <= count; i++) {
            // Not JSON or XML: each line comes back as a dead letter with its own bytes.
            String line = i % 11 == 0 ? "" : "line " + i + " " + "x".repeat(random.nextInt(i % 7 == 0 ? 300 : 40));
            lines.add(new Line(line, text.toString().getBytes(StandardCharsets.UTF_8).length, i));
            text.append(line);
            if (i < count || lastNewline) {
                text.append(newline);
            }
        }
        java.nio.file.Path file = dir.resolve("lines-" + newline.length() + lastNewline + ".log");
        Files.writeString(file, text);
        return file;
    }

    private static List<FileSourceSplit> splits(java.nio.file.Path file, long splitBytes) throws IOException {
        return new ArrayList<>(ByteRangeSplits.ofSize(splitBytes).create()
                .enumerateSplits(new Path[] {new Path(file.toUri())}, 1));
    }

    private static List<Read> readAll(BulkFormat.Reader<SysmonRecord> reader) throws IOException {
        List<Read> read = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<SysmonRecord> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<SysmonRecord> r;
                while ((r = batch.next()) != null) {
                    SysmonRecord record = r.getRecord();
                    assertThat(record.kind).isEqualTo(SysmonRecord.Kind.DEAD_LETTER);
                    read.add(new Read(new String(record.deadLetter.raw, StandardCharsets.UTF_8), record.deadLetter.origin,
                            new CheckpointedPosition(r.getOffset(), r.getRecordSkipCount())));
                }
                batch.releaseBatch();
            }
        }
        return read;
    }
}
