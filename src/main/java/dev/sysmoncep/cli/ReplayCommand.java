package dev.sysmoncep.cli;

import dev.sysmoncep.alert.AlertTally;
import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.read.ByteRangeSplits;
import dev.sysmoncep.read.ReadProgress;
import dev.sysmoncep.read.SysmonFileFormat;
import dev.sysmoncep.read.UnreadableFileException;
import dev.sysmoncep.records.SysmonRecord;
import dev.sysmoncep.sink.LineFileSink;
import dev.sysmoncep.sink.OutputLines;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code replay}: the whole detection over log files, in Flink's BATCH mode, alerts to a file. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Replays Sysmon logs through the detection in Flink's BATCH mode and writes each alert once, "
                    + "in its final state, as a JSON line.",
            "Inputs are files or directories (read recursively; names starting with '.' or '_' skipped) of "
                    + "Splunk XmlWinEventLog, flat Sysmon JSON (OTRF, nxlog, PowerShell exports) or Winlogbeat/Elastic "
                    + "Agent ECS JSON lines, mixed freely; .gz, .bz2, .xz, .zst and .zip (in any letter case), UTF-16 "
                    + "with a byte order mark, old Mac line ends and JSON array files are read as they are. Runs on "
                    + "an embedded Flink, or on a cluster when submitted with flink run.",
            "Files and directories are local paths or URIs of a file system Flink has a plugin for "
                    + "(s3://, hdfs://); on a cluster, outputs belong on storage every TaskManager shares.",
            "Shows progress on stderr while it runs and a report on stdout at the end."})
public final class ReplayCommand implements Callable<Integer> {
    /** How the end-of-run report is printed; lower case, as typed on the command line. */
    enum ReportFormat { text, json }

    @Option(names = {"-i", "--input"}, paramLabel = "PATH", required = true, split = "\\n", hideParamSyntax = true,
            converter = Location.Converter.class,
            description = "File or directory to read, a local path or a URI (s3://bucket/logs/); repeat for more "
                    + "(a YAML --config file takes a list).")
    List<Location> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, converter = Location.Converter.class,
            description = "Alert lines (JSON, one alert per line) go here, a local path or a URI; written under a "
                    + "temporary name and renamed when the replay has finished. A local file's directory must exist.")
    Location output;

    @Option(names = "--dead-letter", paramLabel = "FILE", converter = Location.Converter.class,
            description = "Lines that are not recognisable events go here with their reason and file:line "
                    + "(or file@byte offset, see --split-bytes).")
    Location deadLetterFile;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism (default: the number of cores, or the cluster's default).")
    Integer parallelism;

    @Option(names = "--report", paramLabel = "FORMAT", defaultValue = "text",
            description = "End-of-run report on stdout: text or json (default: ${DEFAULT-VALUE}).")
    ReportFormat report;

    @Option(names = {"-q", "--quiet"},
            description = "No progress and no report: only errors, and the exit code.")
    boolean quiet;

    @Option(names = "--no-progress", description = "No progress lines on stderr.")
    boolean noProgress;

    @Option(names = "--progress-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "10s",
            description = "When stderr is not a terminal, one progress line per this interval "
                    + "(default: ${DEFAULT-VALUE}); a terminal gets one line, updated every second.")
    Duration progressInterval;

    @Option(names = "--skip-unmatchable-lines",
            description = "Fast path for big replays: leave unparsed every line that cannot hold an event any rule "
                    + "matches (it lacks every literal the rules need, such as wermgr.exe). The alerts are the "
                    + "same; such lines are counted but neither checked nor dead-lettered.")
    boolean skipUnmatchableLines;

    @Option(names = "--split-bytes", paramLabel = "BYTES", defaultValue = "" + ByteRangeSplits.DEFAULT_SPLIT_BYTES,
            description = "Uncompressed files larger than this are read in ranges of this many bytes, in parallel "
                    + "(default: ${DEFAULT-VALUE}); compressed files are read whole. Dead letters from a range after "
                    + "the first name their line by byte offset (file@offset), not line number.")
    long splitBytes;

    @Mixin
    DetectionOptions detection = new DetectionOptions();

    @Mixin
    ElasticsearchOptions elasticsearch = new ElasticsearchOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunSummary summary = run();
        if (summary == null) {
            return 0;
        }
        if (!quiet) {
            ReplayReport r = ReplayReport.of(summary, output, deadLetterFile);
            PrintWriter out = spec.commandLine().getOut();
            out.print(report == ReportFormat.json ? r.json() : r.text());
            out.flush();
        }
        return 0;
    }

    /**
     * Checks the inputs and outputs, runs the replay to its end and returns its counts; or, when
     * the job was submitted detached ({@code flink run -d}, the REST API), says so on stdout and
     * returns null at once, since its counts come only when it has finished.
     *
     * @throws UserError for a problem with the options, inputs, outputs or rules, found before
     *     Flink starts where possible, or an input file that turned out unreadable
     */
    public RunSummary run() throws Exception {
        DetectionSettings settings = detection.settings().emitOnOpen(false);
        if (splitBytes <= 0) {
            throw UserError.usage("--split-bytes must be positive", "e.g. --split-bytes 268435456");
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw UserError.usage("--progress-interval must be positive", "e.g. --progress-interval 30s");
        }
        InputFiles in = InputFiles.check(inputs);
        OutputFile alertFile = OutputFile.check(output, "--output");
        OutputFile deadLetters = deadLetterFile == null ? null : OutputFile.check(deadLetterFile, "--dead-letter");
        if (deadLetters != null && deadLetters.sameFileAs(alertFile)) {
            throw UserError.usage("--output and --dead-letter both name " + output, "give each its own file");
        }

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        String runId = UUID.randomUUID().toString();
        FileSource<SysmonRecord> source = FileSource
                .forBulkFileFormat(new SysmonFileFormat(settings.maxLineBytes(), runId,
                        CandidateFilter.of(settings.rules()), skipUnmatchableLines), in.sourcePaths())
                .setFileEnumerator(ByteRangeSplits.ofSize(splitBytes))
                .build();
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, source, settings);
        streams.alerts().sinkTo(new LineFileSink<>(alertFile.flinkPath(), OutputLines::alert))
                .name("Alert file").uid("alert-file").setParallelism(1);
        elasticsearch.attach(streams.alerts());
        // The report's alert details come with the job's result, wherever the alert file is written.
        streams.raisedAlerts().map(new AlertTally.Tallied(settings.rules().sequenceIds())).name("Tally alerts for the report")
                .uid("tally-alerts").sinkTo(new DiscardingSink<>()).name("Discard tallied alerts").uid("discard-tallied-alerts");
        if (deadLetters != null) {
            streams.deadLetters().sinkTo(new LineFileSink<>(deadLetters.flinkPath(), OutputLines::deadLetter))
                    .name("Dead-letter file").uid("dead-letter-file").setParallelism(1);
        }

        ReplayProgress progress = quiet || noProgress ? null
                : new ReplayProgress(spec.commandLine().getErr(), System.console() != null, in);
        long started = System.nanoTime();
        try (ReadProgress reading = ReadProgress.start(runId)) {
            JobExecutionResult result;
            long submitted;
            try {
                JobClient job = env.executeAsync("sysmon-cep replay");
                submitted = System.nanoTime();
                if (!env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
                    // Submitted detached (flink run -d, the REST API): the job runs on; its result never comes here.
                    if (!quiet) {
                        PrintWriter out = spec.commandLine().getOut();
                        out.println("sysmon-cep replay: submitted as job " + job.getJobID() + "; its alerts go to "
                                + output + " when it has finished");
                        out.flush();
                    }
                    return null;
                }
                result = await(job, progress, reading);
            } catch (Exception e) {
                throw failed(e, progress, alertFile, deadLetters);
            }
            long ended = System.nanoTime();
            RunSummary summary = RunSummary.of(result.getAllAccumulatorResults(), settings.rules(), in,
                    Duration.ofNanos(ended - started), Duration.ofNanos(ended - submitted));
            if (progress != null) {
                progress.finished(summary);
            }
            return summary;
        }
    }

    /** Waits for the job, showing progress at each interval; no timer thread, no sleeping. */
    private JobExecutionResult await(JobClient job, ReplayProgress progress, ReadProgress reading) throws Exception {
        CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
        if (progress == null) {
            return done.get();
        }
        // Readers in this JVM count into `reading`; on a cluster they cannot, and only accumulators tell.
        // Without the input's total (an input on s3:// or hdfs://) there is no percentage to show either.
        boolean readersHere = job instanceof MiniClusterJobClient && progress.sized();
        long tick = progress.inPlace() ? Math.min(1000, progressInterval.toMillis()) : progressInterval.toMillis();
        while (true) {
            try {
                return done.get(tick, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                Map<String, Long> accumulators = accumulators(job);
                if (readersHere) {
                    progress.reading(reading.snapshot(), accumulators);
                } else {
                    progress.running(accumulators);
                }
            }
        }
    }

    /** The job's counts so far; none if the cluster does not answer quickly. */
    private static Map<String, Long> accumulators(JobClient job) {
        try {
            return RunSummary.counts(job.getAccumulators().get(2, TimeUnit.SECONDS));
        } catch (Exception notNow) {
            return Map.of();
        }
    }

    /**
     * Removes what the failed run renamed into place, so no output looks complete (the sinks delete
     * their temporary files themselves), and says why it failed: a user's problem by its class,
     * anything else as a failed job.
     */
    private Exception failed(Exception e, ReplayProgress progress, OutputFile alertFile, OutputFile deadLetters) {
        if (progress != null) {
            progress.failed();
        }
        alertFile.removeIfWrittenByThisRun();
        if (deadLetters != null) {
            deadLetters.removeIfWrittenByThisRun();
        }
        String outcome = "no alert file was written"
                + (alertFile.exists() ? " (" + output + " is from an earlier run)" : "");
        UserError userError = SysmonCep.find(e, UserError.class);
        if (userError != null) {
            return userError;
        }
        UnreadableFileException unreadable = SysmonCep.find(e, UnreadableFileException.class);
        if (unreadable != null) {
            return new UserError(UserError.Kind.INPUT, "input " + unreadable.getMessage(),
                    "repair or leave out " + unreadable.file() + " and replay again; " + outcome, e);
        }
        return new IllegalStateException("the replay failed: " + SysmonCep.describe(e) + "; " + outcome, e);
    }
}
