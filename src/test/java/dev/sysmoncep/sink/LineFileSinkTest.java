package dev.sysmoncep.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.cli.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The replay's output file: whole or absent, never partial, through Flink's FileSystem API. */
class LineFileSinkTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @TempDir
    Path dir;

    static void writeLines(Path target, LineFileSink.LineRenderer<String> renderer, String... lines) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromData(lines)
                .sinkTo(new LineFileSink<>(Location.of(target).flinkPath(), renderer))
                .setParallelism(1);
        env.execute("line file sink test");
    }

    @Test
    void aFinishedRunReplacesTheTargetWholeAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("out/alerts.jsonl");
        writeLines(target, line -> line, "a", "b", "c");
        assertThat(Files.readAllLines(target)).containsExactly("a", "b", "c");

        writeLines(target, line -> line.toUpperCase(), "x", "y");
        assertThat(Files.readAllLines(target)).containsExactly("X", "Y");
        try (var files = Files.list(target.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("alerts.jsonl");
        }
    }

    @Test
    void anAlertFileHasALineForEveryAlertButARetractedOne() throws Exception {
        Path target = dir.resolve("alerts.jsonl");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromData(new AlertDocument("a", "rule", 0, true, "{\"id\":\"a\"}"),
                        new AlertDocument("b", "rule", 0, true, true, "{\"id\":\"b\",\"retracted\":true}"),
                        new AlertDocument("c", "rule", 0, true, "{\"id\":\"c\",\"late\":true}"))
                .sinkTo(new LineFileSink<>(Location.of(target).flinkPath(), OutputLines::alert))
                .setParallelism(1);
        env.execute("alert file test");

        assertThat(Files.readAllLines(target)).containsExactly("{\"id\":\"a\"}", "{\"id\":\"c\",\"late\":true}");
    }

    @Test
    void aFailedRunLeavesThePreviousOutputAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("alerts.jsonl");
        Files.write(target, List.of("from an earlier run"));

        assertThatThrownBy(() -> writeLines(target, line -> {
            if (line.equals("bad")) {
                throw new IllegalStateException("renderer fails");
            }
            return line;
        }, "good", "bad")).hasStackTraceContaining("renderer fails");

        assertThat(Files.readAllLines(target)).containsExactly("from an earlier run");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("alerts.jsonl");
        }
    }
}
