package dev.sysmoncep.bench;

import dev.sysmoncep.cli.DurationConverter;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.RunSummary;
import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.EventRulePatterns;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.ExpectedAlerts;
import dev.sysmoncep.generate.GenerateCommand;
import dev.sysmoncep.generate.GeneratedFormat;
import dev.sysmoncep.generate.WermgrAttacks;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.read.ByteRangeSplits;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.cep.CEP;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sysmon-cep bench}: on one file of Sysmon lines (generated, or given), in one run, the
 * batch replay end to end, every line checked and with unmatchable lines skipped, against two
 * references measured the same way on the same file: the raw
 * read limit (read and split lines, nothing else) and a naive job (every line into a full JSON tree
 * or XML DOM, every event unfiltered into the rules' CEP patterns keyed by host).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {KafkaLatencyBench.class, StateSizeBench.class, ReadPathBench.class, SmallInputsBench.class,
                FlinkSqlBench.class, JmhCommand.class},
        description = {
            "Measures, on one file and in one run: the raw read limit (a plain Java loop splitting lines, and a "
                    + "Flink FileSource job that reads and splits lines like the replay and only counts them); the "
                    + "replay end to end to an alert file, as 'replay' runs it, once checking every line and once with "
                    + "--skip-unmatchable-lines (the fast path for big replays); and a naive baseline in the same "
                    + "harness (every line into a Jackson JSON tree or a DOM, all events into CEP keyed by host).",
            "Events/s and MB/s are over the job's time (from submission to its end; starting the embedded Flink "
                    + "is in the wall time only). Peak RSS is this process's VmHWM during each measurement.",
            "Ends with one line, for the fast path: bench: replay <N> events/s, <R>x raw read, <B>x naive (the line "
                    + "before gives the same for the replay that checks every line).",
            "Subcommands measure one thing each: kafka (the stream job's drain rate, beside a Kafka Streams app's, and "
                    + "its alert delay on a real broker), "
                    + "state-size (streaming state under sustained load), read-path (one reader thread per core), "
                    + "small-inputs (replay's whole-process time on small folders, and its start-up alone), "
                    + "flink-sql (the default replay against the bundled rules written in Flink SQL, on the same files), "
                    + "jmh (the hot path's JMH micro-benchmarks)."
        })
public final class BenchCommand implements Callable<Integer> {
    private static final String LINES = "bench.lines";
    private static final String NAIVE_EVENTS = "bench.naiveEvents";
    private static final String NAIVE_FINDINGS = "bench.naiveFindings";

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Measure on this file of Sysmon lines instead of generating one.")
    Path input;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000",
            description = "Lines to generate (default: ${DEFAULT-VALUE}, about 1.5 GB of JSON).")
    long events;

    @Option(names = "--repeat", paramLabel = "K", defaultValue = "10",
            description = "The raw read and the replays read the file K times over, as K symbolic links in one "
                    + "directory (default: ${DEFAULT-VALUE}): long enough that starting each job (about 2 s) does not "
                    + "dominate, while the page cache still holds the one file.")
    int repeat;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json", converter = GenerateCommand.FormatOption.class,
            description = "Format to generate: xml, json, ecs or mixed (default: ${DEFAULT-VALUE}).")
    GeneratedFormat format;

    @Option(names = "--attacks-per-million", paramLabel = "N", defaultValue = "20",
            description = "Wermgr attack scenarios per million generated lines (default: ${DEFAULT-VALUE}).")
    double attacksPerMillion;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "1000",
            description = "Generated events per second of event time; an attack scenario spans up to a few minutes of "
                    + "it, so a small file needs a low rate to hold any (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism of every job (default: the number of cores).")
    Integer parallelism;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the generated file and the outputs go and stay (default: a temporary directory, "
                    + "removed at the end).")
    Path workDir;

    @Option(names = "--replay-option", paramLabel = "OPTION",
            description = "An option for both replays, as 'replay' takes it (e.g. --replay-option=--split-bytes=16777216); "
                    + "repeat for more.")
    List<String> replayOptions = new ArrayList<>();

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
            description = "Also measure the stream job from and to this Kafka broker (new topics per run, deleted "
                    + "after): how fast it drains the file written to a topic first, and a plain Kafka Streams app "
                    + "(a tree per record, the same rules) the same topic; then the alert delay p50/p99 at --kafka-rate.")
    String bootstrapServers;

    @Option(names = "--kafka-rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "10000",
            description = "Events per second written to Kafka (default: ${DEFAULT-VALUE}).")
    int kafkaRate;

    @Option(names = "--kafka-duration", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long alert delays are measured, after a warm-up as long (default: ${DEFAULT-VALUE}).")
    Duration kafkaDuration;

    @Option(names = "--kafka-out-of-orderness", paramLabel = "DURATION", defaultValue = "2s",
            converter = DurationConverter.class,
            description = "The stream job's out-of-order tolerance (default: ${DEFAULT-VALUE}).")
    Duration kafkaOutOfOrderness;

    @Spec
    CommandSpec spec;

    /** {@code job/sysmon-cep bench ...} runs this: the benchmarks live apart from the job jar. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The bench's command line, with its subcommands (kafka, state-size, read-path, small-inputs, flink-sql, jmh). */
    public static CommandLine commandLine() {
        return new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** One measurement: lines handled, times, and the process's peak resident memory meanwhile. */
    record Measured(String name, long lines, long bytes, Duration job, Duration wall, long peakRssBytes) {
        double linesPerSecond() {
            return lines / seconds(job);
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / seconds(job);
        }

        private static double seconds(Duration d) {
            return Math.max(1e-6, d.toNanos() / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("sysmon-cep-bench") : Files.createDirectories(workDir);
        try {
            if (repeat < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be 1 or more");
            }
            if (replayOptions.stream().anyMatch(o -> o.startsWith("--skip-unmatchable-lines"))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "bench runs the replay both with and without --skip-unmatchable-lines; it is no --replay-option");
            }
            Path file = input;
            List<ExpectedAlerts.Expected> expected = null;
            if (file == null) {
                file = dir.resolve("bench-events." + format.optionName + ".log");
                expected = generate(file);
            } else if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input must be a file: " + file);
            }
            long bytes = Files.size(file);
            boolean ownPeaks = PeakMemory.reset();

            Path repeated = repeated(file, dir.resolve("bench-input"));
            Measured loop = plainLoop(file, bytes);
            Measured raw = flinkRawRead(repeated, bytes * repeat);
            Replayed checked = replay(repeated, bytes * repeat, dir.resolve("bench-alerts.jsonl"), "replay, every line checked",
                    false);
            Replayed fast = replay(repeated, bytes * repeat, dir.resolve("bench-alerts-fast.jsonl"),
                    "replay --skip-unmatchable-lines", true);
            long[] naiveCounts = new long[2];
            Measured naive = naive(file, bytes, naiveCounts);

            out.printf(Locale.ROOT, "input: %s, %,d lines, %,d bytes (%,d bytes per line on average); read %d times over "
                    + "by the raw read and the replays, once by the loop and the naive job%n", file, loop.lines(), bytes,
                    loop.lines() == 0 ? 0 : bytes / loop.lines(), repeat);
            out.printf(Locale.ROOT, "machine: %d cores, load average %s; JVM max heap %,d MB; Flink parallelism %s%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), Runtime.getRuntime().maxMemory() >> 20,
                    parallelism == null ? "default" : parallelism);
            out.printf(Locale.ROOT, "%-52s %12s %8s %8s %12s %9s %12s%n", "measurement", "lines", "job s", "wall s",
                    "events/s", "MB/s", "peak RSS MB");
            for (Measured m : List.of(loop, raw, checked.measured(), fast.measured(), naive)) {
                out.printf(Locale.ROOT, "%-52s %,12d %8.2f %8.2f %,12.0f %9.1f %12s%n", m.name(), m.lines(),
                        m.job().toNanos() / 1e9, m.wall().toNanos() / 1e9, m.linesPerSecond(), m.megabytesPerSecond(),
                        m.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", m.peakRssBytes() >> 20));
            }
            if (!ownPeaks) {
                out.println("(peak RSS could not be reset between measurements: each is the process's peak so far)");
            }
            for (Replayed r : List.of(checked, fast)) {
                RunSummary summary = r.summary();
                out.printf(Locale.ROOT, "%s: %,d events parsed, %,d lines left unparsed, %,d dead-lettered, %,d matched, "
                        + "%,d alerts%s%n", r.measured().name(), summary.count(JobCounters.EVENTS_PARSED),
                        summary.count(JobCounters.NOT_CANDIDATES), summary.count(JobCounters.DEAD_LETTERED),
                        summary.count(JobCounters.EVENTS_MATCHED), r.alerts(),
                        expected == null ? "" : " (" + expected.size() + " expected by the generator)");
            }
            out.printf(Locale.ROOT, "naive: %,d events parsed, %,d rule matches%n", naiveCounts[0], naiveCounts[1]);
            if (bootstrapServers != null) {
                KafkaBenchRun.JobOptions job = new KafkaBenchRun.JobOptions(4, parallelism == null
                        ? Runtime.getRuntime().availableProcessors() : parallelism, "1s", kafkaOutOfOrderness,
                        "exactly-once", Map.of(), false);
                KafkaDrain drain = new KafkaDrain(job, bootstrapServers);
                PeakMemory.reset();
                drain.print(drain.run(file, expected), out);
                out.printf(Locale.ROOT, "  peak RSS %,d MB%n", peak() >> 20);
                KafkaLatency kafka = new KafkaLatency(new KafkaLatency.Settings(kafkaRate, kafkaDuration, kafkaDuration,
                        Duration.ofMillis(250), job), bootstrapServers);
                PeakMemory.reset();
                KafkaLatency.Result result = kafka.run();
                kafka.print(result, out);
                out.printf(Locale.ROOT, "  peak RSS %,d MB%n", peak() >> 20);
            }
            out.println("state: in BATCH mode keyed state lives for one key at a time over sorted input and no "
                    + "checkpoint is taken, so there is no state size to report");
            out.println("every line checked: " + ratios(checked.measured(), raw, naive));
            out.println("bench: " + ratios(fast.measured(), raw, naive));
            out.flush();
            return 0;
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
    }

    private List<ExpectedAlerts.Expected> generate(Path file) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        BackgroundGenerator generator = new BackgroundGenerator(seed, 200, Instant.parse("2024-03-11T00:00:00Z"), rate);
        WermgrAttacks attacks = attacksPerMillion > 0 ? generator.mixInAttacks(attacksPerMillion, events) : null;
        long began = System.nanoTime();
        try (OutputStream o = Files.newOutputStream(file)) {
            generator.writeLines(o, events, format);
        }
        err.printf(Locale.ROOT, "bench: generated %,d %s lines in %.1f s%n", events, format.optionName,
                (System.nanoTime() - began) / 1e9);
        err.flush();
        return ExpectedAlerts.of(attacks == null ? List.of() : attacks.emitted(), RuleSet.bundled());
    }

    /** The reference: one thread, one buffer, count the newlines. */
    private static Measured plainLoop(Path file, long bytes) throws IOException {
        PeakMemory.reset();
        long began = System.nanoTime();
        long lines = 0;
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = open(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        return new Measured("raw read: plain Java loop, 1 thread", lines, bytes, took, took, peak());
    }

    static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** A directory of {@link #repeat} links to {@code file}. */
    private Path repeated(Path file, Path links) throws IOException {
        Files.createDirectories(links);
        for (int i = 1; i <= repeat; i++) {
            Path link = links.resolve(String.format(Locale.ROOT, "part-%03d-%s", i, file.getFileName()));
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, file.toAbsolutePath());
        }
        return links;
    }

    private Measured flinkRawRead(Path file, long bytes) throws Exception {
        PeakMemory.reset();
        long began = System.nanoTime();
        StreamExecutionEnvironment env = environment();
        env.fromSource(FileSource.forBulkFileFormat(new LineCountFormat(SysmonLineParser.DEFAULT_MAX_LINE_BYTES),
                                new org.apache.flink.core.fs.Path(file.toUri()))
                                .setFileEnumerator(ByteRangeSplits.ofSize(ByteRangeSplits.DEFAULT_SPLIT_BYTES)).build(),
                        WatermarkStrategy.noWatermarks(), "Lines")
                .map(new AddLines()).name("Count lines")
                .sinkTo(new DiscardingSink<>()).name("Discard");
        Timed t = execute(env, "sysmon-cep bench: raw read", began);
        return new Measured("raw read: Flink FileSource, split lines, count", t.result.getAccumulatorResult(LINES),
                bytes, t.job, t.wall, peak());
    }

    /** A replay as measured, with what it found. */
    record Replayed(Measured measured, RunSummary summary, long alerts) {}

    private Replayed replay(Path file, long bytes, Path alerts, String name, boolean skipUnmatchableLines) throws Exception {
        List<String> options = new ArrayList<>();
        if (parallelism != null) {
            options.addAll(List.of("--parallelism", parallelism.toString()));
        }
        if (skipUnmatchableLines) {
            options.add("--skip-unmatchable-lines");
        }
        options.addAll(replayOptions);
        return replay(file, bytes, alerts, name, options);
    }

    /** {@code replay --input FILE --output ALERTS --quiet OPTIONS...} as the command runs it, measured. */
    static Replayed replay(Path file, long bytes, Path alerts, String name, List<String> options) throws Exception {
        PeakMemory.reset();
        List<String> args = new ArrayList<>(List.of("--input", file.toString(), "--output", alerts.toString(), "--quiet"));
        args.addAll(options);
        CommandLine replay = new CommandLine(new ReplayCommand());
        replay.parseArgs(args.toArray(String[]::new));
        RunSummary summary = ((ReplayCommand) replay.getCommand()).run();
        long alertLines;
        try (Stream<String> lines = Files.lines(alerts)) {
            alertLines = lines.count();
        }
        return new Replayed(new Measured(name, summary.count(JobCounters.LINES_READ), bytes, summary.jobTime(),
                summary.wallTime(), peak()), summary, alertLines);
    }

    private static String ratios(Measured replay, Measured raw, Measured naive) {
        return String.format(Locale.ROOT, "replay %d events/s, %.2fx raw read, %.1fx naive", Math.round(replay.linesPerSecond()),
                replay.linesPerSecond() / raw.linesPerSecond(), replay.linesPerSecond() / naive.linesPerSecond());
    }

    private Measured naive(Path file, long bytes, long[] counts) throws Exception {
        PeakMemory.reset();
        long began = System.nanoTime();
        StreamExecutionEnvironment env = environment();
        DataStream<SysmonEvent> events = env
                .fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                        new org.apache.flink.core.fs.Path(file.toUri())).build(),
                        WatermarkStrategy.noWatermarks(), "Lines as text")
                .flatMap(new NaiveSysmonParse()).name("Parse into a tree")
                .map(new CountInto<SysmonEvent>(NAIVE_EVENTS)).returns(SysmonEvent.class).name("Count events")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<SysmonEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, ignored) -> e.eventTime));
        for (EventRule rule : RuleSet.bundled().eventRules()) {
            CEP.pattern(events.keyBy(SysmonEvent::hostKey), EventRulePatterns.pattern(rule))
                    .inEventTime()
                    .process(EventRulePatterns.findings(rule)).name("CEP " + rule.id())
                    .map(new CountInto<Finding>(NAIVE_FINDINGS)).returns(Finding.class).name("Count findings")
                    .sinkTo(new DiscardingSink<Finding>()).name("Discard");
        }
        Timed t = execute(env, "sysmon-cep bench: naive", began);
        counts[0] = t.result.getAccumulatorResult(NAIVE_EVENTS);
        Long findings = t.result.getAccumulatorResult(NAIVE_FINDINGS);
        counts[1] = findings == null ? 0 : findings;
        return new Measured("naive: tree per line, every event into CEP", counts[0], bytes, t.job, t.wall, peak());
    }

    private StreamExecutionEnvironment environment() {
        return batchEnvironment(parallelism);
    }

    /** A BATCH environment as the replay makes one: no restarts, the given parallelism or the default. */
    static StreamExecutionEnvironment batchEnvironment(Integer parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        return env;
    }

    private record Timed(JobExecutionResult result, Duration job, Duration wall) {}

    /** Job time from submission to the end, as the replay measures its own. */
    private static Timed execute(StreamExecutionEnvironment env, String name, long began) throws Exception {
        JobClient job = env.executeAsync(name);
        long submitted = System.nanoTime();
        JobExecutionResult result = job.getJobExecutionResult().get();
        long ended = System.nanoTime();
        return new Timed(result, Duration.ofNanos(ended - submitted), Duration.ofNanos(ended - began));
    }

    static long peak() {
        return PeakMemory.peakBytes();
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Adds each batch's count of lines to an accumulator. */
    private static final class AddLines extends RichMapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter lines;

        @Override
        public void open(OpenContext openContext) {
            lines = new LongCounter();
            getRuntimeContext().addAccumulator(LINES, lines);
        }

        @Override
        public Long map(Long batch) {
            lines.add(batch);
            return batch;
        }
    }

    /** Passes records on, counting them into an accumulator. */
    private static final class CountInto<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final String name;
        private transient LongCounter count;

        CountInto(String name) {
            this.name = name;
        }

        @Override
        public void open(OpenContext openContext) {
            count = new LongCounter();
            getRuntimeContext().addAccumulator(name, count);
        }

        @Override
        public T map(T value) {
            count.add(1L);
            return value;
        }
    }
}
