package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.metrics.JobCounters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * Issue 16's comparison with what a detection engineer would otherwise write: on the same files of
 * flat Sysmon JSON and in one run, the default replay end to end (every line checked), and the
 * bundled rules in Flink SQL ({@link RulesInFlinkSql}) over a filesystem table of the same files,
 * both in BATCH mode. Each job's alerts are counted per rule.
 *
 * <pre>
 * job/sysmon-cep bench flink-sql --input /tmp/real1m.jsonl
 * </pre>
 */
@Command(name = "flink-sql", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The default replay (every line checked) against the bundled rules written in Flink SQL (a filesystem "
                    + "table of JSON lines, each rule a WHERE clause, alerts per rule and group in tumbling windows, the "
                    + "sequence by MATCH_RECOGNIZE), both in BATCH mode on the same files of flat Sysmon JSON.",
            "Events/s are the input's lines over each job's time (submission to end); peak RSS is this process's "
                    + "VmHWM during each job. Ends with: bench: flink-sql replay <N> events/s, Flink SQL <M> events/s, "
                    + "<R>x (and the ratio over wall time, starting Flink and planning included)."
        })
public final class FlinkSqlBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "A file of flat Sysmon JSON lines (OTRF's shape); may be given more than once.")
    List<Path> inputs;

    @Option(names = "--repeat", paramLabel = "K", defaultValue = "10",
            description = "Both jobs read the files K times over, as symbolic links in one directory "
                    + "(default: ${DEFAULT-VALUE}): long enough that starting each job's stages (about 2 s) does not "
                    + "dominate, while the page cache still holds the files.")
    int repeat;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism of both jobs (default: the number of cores).")
    Integer parallelism;

    @Spec
    CommandSpec spec;

    /** The SQL job as measured, with its alerts per rule. */
    private record Queried(BenchCommand.Measured measured, Map<String, Long> alertsPerRule) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be 1 or more");
        }
        for (Path input : inputs) {
            if (!Files.isRegularFile(input)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input must be a file: " + input);
            }
        }
        Path dir = Files.createTempDirectory("sysmon-cep-bench-flink-sql");
        try {
            Path repeated = repeated(dir.resolve("input"));
            long bytes = 0;
            for (Path input : inputs) {
                bytes += Files.size(input) * repeat;
            }
            warmPageCache();
            String loadBefore = BenchCommand.loadAverage();
            boolean ownPeaks = PeakMemory.reset();
            Path alertFile = dir.resolve("alerts.jsonl");
            List<String> options = parallelism == null ? List.of() : List.of("--parallelism", parallelism.toString());
            BenchCommand.Replayed replay = BenchCommand.replay(repeated, bytes, alertFile, "replay, every line checked",
                    options);
            long lines = replay.measured().lines();
            Queried sql = flinkSql(repeated, lines, bytes);
            Map<String, Long> replayAlerts = alertsPerRule(alertFile);

            out.printf(Locale.ROOT, "input: %s; %,d lines, %,d bytes, read %d times over by both jobs%n", inputs,
                    lines, bytes, repeat);
            out.printf(Locale.ROOT, "machine: %d cores, load average %s before, %s after; JVM max heap %,d MB; "
                    + "Flink parallelism %s%n", Runtime.getRuntime().availableProcessors(), loadBefore,
                    BenchCommand.loadAverage(), Runtime.getRuntime().maxMemory() >> 20,
                    parallelism == null ? "default" : parallelism);
            out.printf(Locale.ROOT, "%-52s %12s %8s %8s %12s %9s %12s %7s%n", "measurement", "lines", "job s", "wall s",
                    "events/s", "MB/s", "peak RSS MB", "alerts");
            print(out, replay.measured(), replay.alerts());
            print(out, sql.measured(), sql.alertsPerRule().values().stream().mapToLong(Long::longValue).sum());
            if (!ownPeaks) {
                out.println("(peak RSS could not be reset between measurements: each is the process's peak so far)");
            }
            out.printf(Locale.ROOT, "replay: %,d events parsed, %,d dead-lettered, %,d matched; alerts per rule %s%n",
                    replay.summary().count(JobCounters.EVENTS_PARSED), replay.summary().count(JobCounters.DEAD_LETTERED),
                    replay.summary().count(JobCounters.EVENTS_MATCHED), replayAlerts);
            out.printf(Locale.ROOT, "Flink SQL: alerts per rule %s%n", sql.alertsPerRule());
            BenchCommand.Measured r = replay.measured();
            BenchCommand.Measured s = sql.measured();
            out.printf(Locale.ROOT, "bench: flink-sql replay %d events/s, Flink SQL %d events/s, %.1fx (%.1fx over wall time)%n",
                    Math.round(r.linesPerSecond()), Math.round(s.linesPerSecond()), r.linesPerSecond() / s.linesPerSecond(),
                    seconds(s.wall()) / seconds(r.wall()));
            out.flush();
            return 0;
        } finally {
            BenchCommand.deleteTree(dir);
        }
    }

    /** A directory of {@link #repeat} links to each input. */
    private Path repeated(Path links) throws IOException {
        Files.createDirectories(links);
        for (int i = 1; i <= repeat; i++) {
            for (int f = 0; f < inputs.size(); f++) {
                Path input = inputs.get(f);
                Files.createSymbolicLink(links.resolve(String.format(Locale.ROOT, "part-%03d-%02d-%s", i, f,
                        input.getFileName())), input.toAbsolutePath());
            }
        }
        return links;
    }

    /** Reads each input once, so that neither job pays for reading it from disk and the first is not the slower. */
    private void warmPageCache() throws IOException {
        for (Path input : inputs) {
            try (InputStream in = Files.newInputStream(input)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    private Queried flinkSql(Path directory, long lines, long bytes) throws Exception {
        PeakMemory.reset();
        long began = System.nanoTime();
        StreamExecutionEnvironment env = BenchCommand.batchEnvironment(parallelism);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env, EnvironmentSettings.inBatchMode());
        RulesInFlinkSql rules = new RulesInFlinkSql(RuleSet.bundled());
        tables.executeSql(rules.eventsTable(directory.toUri().toString(), Duration.ofSeconds(2)));
        rules.views().forEach(tables::executeSql);
        TableResult result = tables.executeSql(rules.alerts());
        long submitted = System.nanoTime();
        Map<String, Long> perRule = new TreeMap<>();
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                perRule.merge(rows.next().<String>getFieldAs("rule_id"), 1L, Long::sum);
            }
        }
        result.getJobClient().orElseThrow().getJobExecutionResult().get();
        long ended = System.nanoTime();
        return new Queried(new BenchCommand.Measured("Flink SQL: WHERE, TUMBLE, MATCH_RECOGNIZE", lines, bytes,
                Duration.ofNanos(ended - submitted), Duration.ofNanos(ended - began), BenchCommand.peak()), perRule);
    }

    private static Map<String, Long> alertsPerRule(Path alertFile) throws IOException {
        Map<String, Long> perRule = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(alertFile)) {
            String line;
            while ((line = in.readLine()) != null) {
                perRule.merge(JSON.readTree(line).path("rule").path("id").asText(), 1L, Long::sum);
            }
        }
        return perRule;
    }

    private static void print(PrintWriter out, BenchCommand.Measured m, long alerts) {
        out.printf(Locale.ROOT, "%-52s %,12d %8.2f %8.2f %,12.0f %9.1f %12s %,7d%n", m.name(), m.lines(),
                seconds(m.job()), seconds(m.wall()), m.linesPerSecond(), m.megabytesPerSecond(),
                m.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", m.peakRssBytes() >> 20), alerts);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
