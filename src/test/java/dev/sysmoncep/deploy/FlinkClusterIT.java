package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.JobCounters;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.recognise.SourceFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real standalone Flink cluster (a JobManager and a TaskManager process on
 * 127.0.0.1, configured by flink-conf/local), submitted through the REST API as flink run and the
 * web UI do: the JobManager runs its main class, so this also proves the jar carries what the
 * cluster lacks (CEP, connectors, Jackson, picocli) and that main leaves the JobManager running.
 */
class FlinkClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");

    static StandaloneFlinkCluster cluster;
    static String jarId;

    @BeforeAll
    static void startClusterAndUploadTheJobJar() throws Exception {
        Path jobJar = Path.of(StandaloneFlinkCluster.requiredProperty("sysmoncep.jobJar"));
        Path workDir = jobJar.resolveSibling("flink-cluster-it");
        deleteRecursively(workDir);
        cluster = StandaloneFlinkCluster.start(Path.of("flink-conf/local").toAbsolutePath(), Map.of(
                        "restart-strategy.type", "none",
                        "execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString(),
                        "execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString()),
                workDir, Duration.ofSeconds(90));
        System.out.printf("Flink cluster (JobManager and TaskManager processes) ready in %.1f s%n",
                cluster.startTime().toMillis() / 1000.0);
        jarId = cluster.rest().uploadJar(jobJar);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReplaySubmittedAsTheJobJarWritesExactlyTheExpectedAlerts(@TempDir Path dir) throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Path logs = dir.resolve("logs");
        Scenarios.write(logs.resolve("attack.xml"), s.events(), SourceFormat.XML, 42);
        Path alerts = dir.resolve("out/alerts.jsonl");
        Path deadLetters = dir.resolve("out/dead-letters.jsonl");

        String jobId = cluster.rest().runJar(jarId, List.of("replay", "--input", logs.toString(),
                "--output", alerts.toString(), "--dead-letter", deadLetters.toString()), 2);
        assertThat(awaitEnd(jobId, Duration.ofMinutes(2))).as("replay job %s%s", jobId, failureOf(jobId))
                .isEqualTo("FINISHED");

        assertThat(asExpected(readJsonLines(alerts))).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(deadLetters).exists().isEmptyFile();
        Map<String, Long> counters = cluster.rest().counters(jobId);
        assertThat(counters.get(JobCounters.ALERTS)).isEqualTo(s.expected().size());
        assertThat(counters.get(JobCounters.LINES_READ)).isEqualTo(s.events().size());
        cluster.checkAlive();
    }

    static String awaitEnd(String jobId, Duration timeout) throws Exception {
        String[] state = new String[1];
        Poll.until("job " + jobId + " to end", timeout, () -> {
            cluster.checkAlive();
            state[0] = cluster.rest().jobState(jobId);
            return TERMINAL.contains(state[0]);
        }, cluster::logTails);
        return state[0];
    }

    static String failureOf(String jobId) {
        try {
            return "\n" + cluster.rest().rootException(jobId) + cluster.logTails();
        } catch (IOException | InterruptedException e) {
            return "\n(no exception from the REST API: " + e + ")" + cluster.logTails();
        }
    }

    static List<Expected> asExpected(List<JsonNode> alerts) {
        return alerts.stream().map(a -> new Expected(a.at("/rule/id").asText(), a.at("/host/name").asText(),
                a.at("/process/entity_id").asText(), a.at("/event/count").asLong())).toList();
    }

    static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
