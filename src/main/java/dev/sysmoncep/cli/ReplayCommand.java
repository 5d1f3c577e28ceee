package dev.sysmoncep.cli;

import dev.sysmoncep.read.SysmonFileFormat;
import dev.sysmoncep.sink.LineFileSink;
import dev.sysmoncep.sink.OutputLines;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code replay}: the whole detection over log files, in Flink's BATCH mode, alerts to a file. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Replays Sysmon logs through the detection in Flink's BATCH mode and writes each alert once, "
                    + "in its final state, as a JSON line.",
            "Inputs are files or directories (read recursively; .gz, .bz2, .xz read transparently) "
                    + "of Splunk XmlWinEventLog, flat Sysmon JSON (OTRF, nxlog) or Winlogbeat/Elastic "
                    + "Agent ECS JSON lines, mixed freely. Runs on an embedded Flink, or on a cluster "
                    + "when submitted with flink run.",
            "Files and directories are local paths or URIs of a file system Flink has a plugin for "
                    + "(s3://, hdfs://); on a cluster, outputs belong on storage every TaskManager shares."})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, paramLabel = "PATH", required = true, converter = FileLocation.class,
            description = "File or directory to read; repeat for more.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, converter = FileLocation.class,
            description = "Alert lines (JSON, one alert per line) go here; written under a temporary name "
                    + "and renamed when the replay has finished.")
    Path output;

    @Option(names = "--dead-letter", paramLabel = "FILE", converter = FileLocation.class,
            description = "Lines that are not recognisable events go here with their reason and file:line.")
    Path deadLetterFile;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism (default: the number of cores, or the cluster's default).")
    Integer parallelism;

    @Mixin
    DetectionOptions detection = new DetectionOptions();

    @Override
    public Integer call() throws Exception {
        for (Path input : inputs) {
            String refusal = refusal(input);
            if (refusal != null) {
                System.err.println("sysmon-cep replay: input " + FileLocation.display(input) + " " + refusal);
                return 2;
            }
        }
        long started = System.nanoTime();
        DetectionSettings settings = detection.settings().emitOnOpen(false);
        JobExecutionResult result = execute(settings);
        if (!result.isJobExecutionResult()) {
            // Submitted detached (flink run -d, the REST API): the job is still running.
            System.out.println("sysmon-cep replay: submitted as job " + result.getJobID() + "; its alerts go to "
                    + FileLocation.display(output) + " when it has finished");
            return 0;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.print(RunSummary.of(result, settings.rules()).render(seconds, output, deadLetterFile));
        return 0;
    }

    /** Why an input cannot be read, checked before Flink starts; null when it can. */
    private static String refusal(Path input) {
        try {
            if (!input.getFileSystem().exists(input)) {
                return "does not exist";
            }
        } catch (IOException e) {
            return "cannot be reached: " + e.getMessage();
        }
        if (FileLocation.isLocal(input) && !Files.isReadable(Paths.get(input.toUri()))) {
            return "is not readable";
        }
        return null;
    }

    /** Runs the replay to its end and returns its counts. */
    public RunSummary run() throws Exception {
        DetectionSettings settings = detection.settings().emitOnOpen(false);
        return RunSummary.of(execute(settings), settings.rules());
    }

    private JobExecutionResult execute(DetectionSettings settings) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }

        FileSource<dev.sysmoncep.recognise.SysmonRecord> source = FileSource
                .forBulkFileFormat(new SysmonFileFormat(settings.maxLineBytes()), inputs.toArray(Path[]::new))
                .build();
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, source, settings);
        streams.alerts().sinkTo(new LineFileSink<>(output, OutputLines::alert))
                .name("Alert file").uid("alert-file").setParallelism(1);
        if (deadLetterFile != null) {
            streams.deadLetters().sinkTo(new LineFileSink<>(deadLetterFile, OutputLines::deadLetter))
                    .name("Dead-letter file").uid("dead-letter-file").setParallelism(1);
        }
        return env.execute("sysmon-cep replay");
    }
}
