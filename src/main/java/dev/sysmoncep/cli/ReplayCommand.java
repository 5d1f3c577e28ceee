package dev.sysmoncep.cli;

import dev.sysmoncep.read.SysmonFileFormat;
import dev.sysmoncep.sink.LineFileSink;
import dev.sysmoncep.sink.OutputLines;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
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
                    + "when submitted with flink run."})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, paramLabel = "PATH", required = true,
            description = "File or directory to read; repeat for more.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "Alert lines (JSON, one alert per line) go here; written under a temporary name "
                    + "and renamed when the replay has finished.")
    Path output;

    @Option(names = "--dead-letter", paramLabel = "FILE",
            description = "Lines that are not recognisable events go here with their reason and file:line.")
    Path deadLetterFile;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism (default: the number of cores, or the cluster's default).")
    Integer parallelism;

    @Mixin
    DetectionOptions detection = new DetectionOptions();

    @Mixin
    ElasticsearchOptions elasticsearch = new ElasticsearchOptions();

    @Override
    public Integer call() throws Exception {
        for (Path input : inputs) {
            if (!Files.exists(input)) {
                System.err.println("sysmon-cep replay: input " + input + " does not exist");
                return 2;
            }
            if (!Files.isReadable(input)) {
                System.err.println("sysmon-cep replay: input " + input + " is not readable");
                return 2;
            }
        }
        long started = System.nanoTime();
        RunSummary summary = run();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.print(summary.render(seconds, output, deadLetterFile));
        return 0;
    }

    /** Runs the replay to its end and returns its counts. */
    public RunSummary run() throws Exception {
        DetectionSettings settings = detection.settings().emitOnOpen(false);

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }

        FileSource<dev.sysmoncep.recognise.SysmonRecord> source = FileSource
                .forBulkFileFormat(new SysmonFileFormat(settings.maxLineBytes()),
                        inputs.stream().map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri())).toArray(org.apache.flink.core.fs.Path[]::new))
                .build();
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, source, settings);
        streams.alerts().sinkTo(new LineFileSink<>(output, OutputLines::alert))
                .name("Alert file").uid("alert-file").setParallelism(1);
        elasticsearch.attach(streams.alerts());
        if (deadLetterFile != null) {
            streams.deadLetters().sinkTo(new LineFileSink<>(deadLetterFile, OutputLines::deadLetter))
                    .name("Dead-letter file").uid("dead-letter-file").setParallelism(1);
        }

        JobExecutionResult result = env.execute("sysmon-cep replay");
        return RunSummary.of(result, settings.rules());
    }
}
