package dev.sysmoncep.workflow;

import dev.sysmoncep.alert.AlertDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming detection ({@link DetectionWorkflow} as {@code sysmon-cep stream} runs it, alerts
 * emitted when they open) over a {@link WermgrProcessLoad}, on a MiniCluster of its own with the
 * chosen state backend: hashmap (the heap) or rocksdb (local disk, incremental checkpoints).
 * Checkpoints are taken on demand, to measure the state; alerts are counted by rule.
 */
public final class DetectionUnderLoad implements AutoCloseable {
    private static final Map<String, AtomicLong> ALERTS = new ConcurrentHashMap<>();

    private final MiniCluster cluster;
    private final JobID job;
    private final String run;
    private final Path localState;

    private DetectionUnderLoad(MiniCluster cluster, JobID job, String run, Path localState) {
        this.cluster = cluster;
        this.job = job;
        this.run = run;
        this.localState = localState;
    }

    /** Starts a MiniCluster (one TaskManager, a slot per subtask) and submits the job to it. */
    public static DetectionUnderLoad start(String run, WermgrProcessLoad.Shape shape, String stateBackend,
            int parallelism, Path dir) throws Exception {
        Path localState = Files.createDirectories(dir.resolve("local-state"));
        Configuration clusterConf = new Configuration()
                .set(RestartStrategyOptions.RESTART_STRATEGY, "none")
                // Any free port: the web UI's 8081 may be taken by another cluster on the machine.
                .set(RestOptions.BIND_PORT, "0");
        clusterConf.setString("state.backend.rocksdb.localdir", localState.toString());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
        cluster.start();

        Configuration jobConf = new Configuration()
                .set(StateBackendOptions.STATE_BACKEND, stateBackend)
                .set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, stateBackend.equals("rocksdb"))
                .set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem")
                .set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(parallelism);
        // Periodic checkpoints far apart: the state is measured by checkpoints taken on demand.
        env.enableCheckpointing(Duration.ofHours(1).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, WermgrProcessLoad.source(run, shape),
                DetectionSettings.defaults().emitOnOpen(true));
        streams.alerts().sinkTo(new CountByRule(run)).name("Count alerts");
        streams.lateEvents().map(e -> new AlertDocument(null, "late", e.eventTime, false, null))
                .sinkTo(new CountByRule(run)).name("Count late events");
        JobID job = cluster.submitJob(env.getStreamGraph()).get(60, TimeUnit.SECONDS).getJobID();
        return new DetectionUnderLoad(cluster, job, run, localState);
    }

    public CheckpointedState checkpoint() throws Exception {
        return CheckpointedState.take(cluster, job, Duration.ofMinutes(2));
    }

    /** Alerts of the rule raised so far, each counted once (when it opened; its final record is not counted). */
    public long alerts(String ruleId) {
        return count(run + "/" + ruleId);
    }

    public long lateEvents() {
        return count(run + "/late");
    }

    /** Bytes under the TaskManager's local state directories: RocksDB's files, its info logs among them. */
    public long localStateBytes() {
        return localFileBytes(f -> true);
    }

    /** Bytes of RocksDB's data files (*.sst) under the local state directories. */
    public long sstBytes() {
        return localFileBytes(f -> f.getFileName().toString().endsWith(".sst"));
    }

    /** Sums the sizes of the files RocksDB has now; one it deletes meanwhile (compaction) counts as gone. */
    private long localFileBytes(Predicate<Path> which) {
        long[] bytes = {0};
        try {
            Files.walkFileTree(localState, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && which.test(file)) {
                        bytes[0] += attributes.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException vanished) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes[0];
    }

    /** Fails when the job has ended: it is meant to run until closed. */
    public void assertRunning() throws Exception {
        var status = cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            throw new AssertionError("the job ended (" + status + "): " + cluster.requestJobResult(job).get()
                    .getSerializedThrowable().map(t -> t.getFullStringifiedStackTrace()).orElse("no error"));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
        } finally {
            cluster.close();
        }
    }

    private static long count(String key) {
        return ALERTS.computeIfAbsent(key, k -> new AtomicLong()).get();
    }

    /** Counts the alerts that reach it by rule id, in this JVM. */
    private record CountByRule(String run) implements Sink<AlertDocument> {
        @Override
        public SinkWriter<AlertDocument> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(AlertDocument alert, Context ctx) {
                    if (alert.isFinal) {
                        return; // the alert's second record, when its window closed: already counted when it opened
                    }
                    ALERTS.computeIfAbsent(run + "/" + alert.ruleId.toLowerCase(Locale.ROOT), k -> new AtomicLong())
                            .incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
