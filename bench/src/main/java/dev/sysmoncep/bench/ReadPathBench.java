package dev.sysmoncep.bench;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.read.LineReader;
import dev.sysmoncep.read.SysmonFileFormat;
import dev.sysmoncep.records.SysmonRecord;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * What one core does with a file on the replay's read path, outside Flink: split lines only (the
 * raw read limit per core), the file reader with the candidate filter, the file reader parsing
 * every line. Rates are per second of this thread's CPU time, so other work on the machine bends
 * them less than wall time; each is the best of three passes, page cache warm.
 *
 * <pre>
 * job/sysmon-cep bench read-path /tmp/bench/gen-json.log
 * </pre>
 */
@Command(name = "read-path", mixinStandardHelpOptions = true,
        description = "Lines per second of one reader thread's CPU time on a file: split lines only, the file reader "
                + "with the candidate filter, the file reader parsing every line.")
public final class ReadPathBench implements Callable<Integer> {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Parameters(paramLabel = "FILE", description = "A file of Sysmon lines, uncompressed.")
    java.nio.file.Path file;

    @Override
    public Integer call() throws Exception {
        long bytes = Files.size(file);
        report("split lines", bytes, best(() -> splitLines(file)));
        report("reader, candidate filter", bytes, best(() -> readRecords(file, bytes, true)));
        report("reader, every line parsed", bytes, best(() -> readRecords(file, bytes, false)));
        return 0;
    }

    private interface Pass {
        long lines() throws IOException;
    }

    private record Result(long lines, long cpuNanos) {}

    private static Result best(Pass pass) throws IOException {
        Result best = null;
        for (int i = 0; i < 3; i++) {
            long start = THREADS.getCurrentThreadCpuTime();
            long lines = pass.lines();
            Result r = new Result(lines, THREADS.getCurrentThreadCpuTime() - start);
            if (best == null || r.cpuNanos < best.cpuNanos) {
                best = r;
            }
        }
        return best;
    }

    private static long splitLines(java.nio.file.Path file) throws IOException {
        long lines = 0;
        try (InputStream in = new FileInputStream(file.toFile())) {
            LineReader reader = new LineReader(in, 1 << 20);
            while (reader.next()) {
                lines++;
            }
        }
        return lines;
    }

    private static long readRecords(java.nio.file.Path file, long bytes, boolean skipUnmatchableLines) throws IOException {
        SysmonFileFormat format = new SysmonFileFormat(1 << 20, null, CandidateFilter.of(RuleSet.bundled()),
                skipUnmatchableLines);
        FileSourceSplit split = new FileSourceSplit("0", new Path(file.toUri()), 0, bytes, 0, bytes);
        long lines = 0;
        try (BulkFormat.Reader<SysmonRecord> reader = format.createReader(new Configuration(), split)) {
            BulkFormat.RecordIterator<SysmonRecord> batch;
            while ((batch = reader.readBatch()) != null) {
                BulkFormat.RecordIterator<SysmonRecord> records = batch;
                for (var r = records.next(); r != null; r = records.next()) {
                    lines += r.getRecord().kind == SysmonRecord.Kind.TALLY ? r.getRecord().tally.lines : 1;
                }
                batch.releaseBatch();
            }
        }
        return lines;
    }

    private static void report(String what, long bytes, Result r) {
        double seconds = r.cpuNanos / 1e9;
        System.out.printf(Locale.ROOT, "%-28s %,12d lines in %6.2f s CPU: %,11.0f lines/s, %,6.0f MB/s%n",
                what, r.lines, seconds, r.lines / seconds, bytes / seconds / 1e6);
    }
}
