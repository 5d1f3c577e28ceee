package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** flink-conf/: what Flink 2.2 reads from each config.yaml, as a cluster would. */
class FlinkConfTest {
    static Configuration load(String dir) {
        return GlobalConfiguration.loadConfiguration(Path.of(dir).toAbsolutePath().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf", "flink-conf/local"})
    void everyKeyIsOneFlinkKnowsUnderItsCurrentName(String dir) {
        FlinkOptionKeys known = new FlinkOptionKeys();
        assertThat(load(dir).keySet().stream().map(known::problem).filter(Objects::nonNull)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf", "flink-conf/local"})
    void processMemoryAddsUpAndLeavesRocksDbManagedMemory(String dir) {
        Configuration conf = load(dir);
        TaskExecutorProcessSpec taskManager = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        assertThat(taskManager.getManagedMemorySize().getBytes()).isPositive();
        assertThat(JobManagerProcessUtils.processSpecFromConfig(conf).getJvmHeapMemorySize().getBytes()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf", "flink-conf/local"})
    void stateIsRocksDbWithIncrementalRetainedCheckpointsAndRestartsBackOff(String dir) {
        Configuration conf = load(dir);
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isPositive();
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf", "flink-conf/local"})
    void checkpointsAndSavepointsGoWhereALocalRunCanWrite(String dir) {
        Configuration conf = load(dir);
        for (String location : List.of(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY),
                conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY))) {
            assertThat(location).startsWith("file:///tmp/sysmon-cep/");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf", "flink-conf/local"})
    void javaSeventeenGetsTheModuleOpeningsFlinkNeeds(String dir) {
        assertThat(load(dir).get(CoreOptions.FLINK_JVM_OPTIONS))
                .contains("--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    }
}
