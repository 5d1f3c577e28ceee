package dev.sysmoncep.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonRecord;
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

    /**
     * Lines no rule can match travel as tallies between the records of the others: every line is
     * counted once, whatever the ranges, and a reader restored after any record, tally or single,
     * counts exactly the lines after it.
     */
    @Test
    void linesNoRuleCanMatchAreTalliedAndCountedOnceAlsoAcrossARestore() throws IOException {
        String time = "\"UtcTime\":\"2024-03-11 10:00:00.000\",\"Computer\":\"ws1\"";
        String[] kinds = {
            "{\"EventID\":1," + time + ",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Image\":\"C:\\\\x.exe\"}",
            "{\"EventID\":17," + time + ",\"Image\":\"C:\\\\Windows\\\\System32\\\\wermgr.exe\",\"PipeName\":\"\\\\p\"}",
            "{\"EventID\":4688," + time + ",\"Channel\":\"Security\"}",
            "not an event",
            "{\"EventID\":1,\"Image\":\"wermgr.exe\"}"};
        Random random = new Random(9);
        StringBuilder text = new StringBuilder();
        int[] kindOfLine = new int[1200];
        for (int i = 0; i < kindOfLine.length; i++) {
            kindOfLine[i] = random.nextInt(10) < 7 ? 0 : random.nextInt(kinds.length);
            text.append(kinds[kindOfLine[i]]).append('\n');
        }
        java.nio.file.Path file = dir.resolve("mixed.log");
        Files.writeString(file, text);
        CandidateFilter filter = CandidateFilter.of(RuleSet.bundled());
        for (boolean skip : new boolean[] {false, true}) {
            SysmonFileFormat tallying = new SysmonFileFormat(4096, null, filter, skip);
            // Single records: the candidates (kinds 1 and 4) and, when every line is parsed, the dead letters.
            long singles = java.util.Arrays.stream(kindOfLine).filter(k -> k == 1 || k == 4 || k == 3 && !skip).count();
            for (long splitBytes : new long[] {1000, 50_000, Files.size(file)}) {
                long lines = 0;
                long records = 0;
                for (FileSourceSplit split : splits(file, splitBytes)) {
                    List<RecordAndPosition<SysmonRecord>> whole = readRecords(tallying.createReader(new Configuration(), split));
                    long linesInSplit = whole.stream().mapToLong(r -> linesIn(r.getRecord())).sum();
                    lines += linesInSplit;
                    records += whole.stream().filter(r -> r.getRecord().kind != SysmonRecord.Kind.TALLY).count();
                    long linesSoFar = 0;
                    for (RecordAndPosition<SysmonRecord> r : whole) {
                        linesSoFar += linesIn(r.getRecord());
                        long rest = readRecords(tallying.restoreReader(new Configuration(), split.updateWithCheckpointedPosition(
                                new CheckpointedPosition(r.getOffset(), r.getRecordSkipCount()))))
                                .stream().mapToLong(after -> linesIn(after.getRecord())).sum();
                        assertThat(linesSoFar + rest).as("lines of the split at %d, restored after %s", split.offset(), r)
                                .isEqualTo(linesInSplit);
                    }
                }
                assertThat(lines).as("skip %s, split size %d", skip, splitBytes).isEqualTo(kindOfLine.length);
                assertThat(records).as("skip %s, split size %d", skip, splitBytes).isEqualTo(singles);
            }
        }
    }

    /**
     * A file of one JSON array per line, as collectors that batch their events write it: each object
     * is read once, named by its line, wherever the ranges cut the file and the batches (of 1024
     * records) fall within a line, and a reader restored after any of them goes on with the next.
     */
    @Test
    void eachObjectOfAnArrayLineIsReadOnceAlsoAcrossSplitsBatchesAndRestores() throws IOException {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        List<String> objects = new ArrayList<>();
        List<Long> lineOfObject = new ArrayList<>();
        for (int line = 1; line <= 800; line++) {
            List<String> inLine = new ArrayList<>();
            for (int k = random.nextInt(7); k >= 0; k--) {
                // Not events, so each comes back as a dead letter holding its bytes; brackets in strings are text.
                inLine.add("{\"n\":\"" + line + "." + k + " ], [{\",\"pad\":\"" + "x".repeat(random.nextInt(30)) + "\"}");
            }
            objects.addAll(inLine);
            inLine.forEach(o -> lineOfObject.add((long) text.toString().getBytes(StandardCharsets.UTF_8).length));
            text.append(random.nextBoolean() ? "[" : " [ ").append(String.join(random.nextBoolean() ? "," : ", ", inLine))
                    .append("]\n");
        }
        assertThat(objects).hasSizeGreaterThan(2 * SysmonFileFormat.BATCH_LINES);
        java.nio.file.Path file = dir.resolve("batches.json");
        Files.writeString(file, text);
        long size = Files.size(file);
        for (long splitBytes : new long[] {99, 1000, size / 2, size}) {
            List<Read> read = new ArrayList<>();
            for (FileSourceSplit split : splits(file, splitBytes)) {
                List<Read> whole = readAll(format.createReader(new Configuration(), split));
                read.addAll(whole);
                for (int i = 0; i < whole.size(); i++) {
                    int fromBatchEnd = Math.abs((i + 16) % SysmonFileFormat.BATCH_LINES - 16);
                    if (i % 97 != 0 && fromBatchEnd > 16) {
                        continue; // every restore reads the rest of the split: near batch ends, and a sample
                    }
                    assertThat(readAll(format.restoreReader(new Configuration(),
                            split.updateWithCheckpointedPosition(whole.get(i).position()))))
                            .as("split at %d restored after record %d", split.offset(), i)
                            .extracting(Read::text, Read::origin)
                            .containsExactlyElementsOf(whole.subList(i + 1, whole.size()).stream()
                                    .map(r -> org.assertj.core.groups.Tuple.tuple(r.text(), r.origin())).toList());
                }
            }
            assertThat(read).extracting(Read::text).as("split size %d", splitBytes).containsExactlyElementsOf(objects);
            for (int i = 0; i < read.size(); i++) {
                Origin origin = read.get(i).origin();
                if (origin.byteOffset) {
                    assertThat(origin.position).as("object %d", i).isEqualTo(lineOfObject.get(i));
                }
            }
        }
    }

    private static long linesIn(SysmonRecord record) {
        return record.kind == SysmonRecord.Kind.TALLY ? record.tally.lines : 1;
    }

    private static List<RecordAndPosition<SysmonRecord>> readRecords(BulkFormat.Reader<SysmonRecord> reader) throws IOException {
        List<RecordAndPosition<SysmonRecord>> read = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<SysmonRecord> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<SysmonRecord> r;
                while ((r = batch.next()) != null) {
                    read.add(new RecordAndPosition<>(r.getRecord(), r.getOffset(), r.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return read;
    }

    private java.nio.file.Path writeLines(List<Line> lines, String newline, boolean lastNewline) throws IOException {
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        int count = 60;
        for (int i = 1; i <= count; i++) {
            // Not JSON or XML: each line comes back as a dead letter with its own bytes (one byte, at the shortest).
            String line = i % 11 == 0 ? "-" : "line " + i + " " + "x".repeat(random.nextInt(i % 7 == 0 ? 300 : 40));
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
