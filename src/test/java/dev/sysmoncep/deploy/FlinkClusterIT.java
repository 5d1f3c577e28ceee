package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.KafkaTestBroker;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.elasticsearch.SearchNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real standalone Flink cluster (a JobManager and a TaskManager process on
 * 127.0.0.1, configured by flink-conf/local: RocksDB, checkpoints retained), submitted through the
 * REST API as flink run and the web UI do: the JobManager runs its main class, so this also proves
 * the jar carries what the cluster lacks (CEP, connectors, Kafka client, Jackson, picocli) and that
 * main leaves the JobManager running. The streaming job reads from and writes to a real Kafka broker
 * in this JVM, and survives a savepoint and resume, and the loss of its TaskManager process.
 */
class FlinkClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    /** Later than every scenario by more than the windows and the tolerance: closes every alert window. */
    private static final Instant CLOCK = Scenarios.T0.plus(Duration.ofHours(5));

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final SearchNode SEARCH = new SearchNode(SearchNode.Kind.OPENSEARCH_2, "sysmon-cep-it-cluster");

    static StandaloneFlinkCluster cluster;
    static String jarId;
    static Path workDir;

    @BeforeAll
    static void startClusterAndUploadTheJobJar() throws Exception {
        Path jobJar = Path.of(StandaloneFlinkCluster.requiredProperty("sysmoncep.jobJar"));
        workDir = jobJar.resolveSibling("flink-cluster-it");
        deleteRecursively(workDir);
        cluster = StandaloneFlinkCluster.start(Path.of("flink-conf/local").toAbsolutePath(), Map.of(
                        "restart-strategy.type", "none",
                        // A killed TaskManager is found missing after two failed heartbeats: 2 s, not 20.
                        "heartbeat.interval", "1000",
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
        Files.createDirectories(alerts.getParent());

        String jobId = cluster.rest().runJar(jarId, List.of("replay", "--input", logs.toString(),
                "--output", alerts.toString(), "--dead-letter", deadLetters.toString()), 2);
        assertThat(awaitEnd(jobId, DEADLINE)).as("replay job %s%s", jobId, failureOf(jobId))
                .isEqualTo("FINISHED");

        assertThat(asExpected(readJsonLines(alerts))).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(deadLetters).exists().isEmptyFile();
        Map<String, Long> counters = cluster.rest().counters(jobId);
        assertThat(counters.get(JobCounters.ALERTS)).isEqualTo(s.expected().size());
        assertThat(counters.get(JobCounters.LINES_READ)).isEqualTo(s.events().size());
        cluster.checkAlive();
    }

    /**
     * The streaming job stopped with a savepoint halfway through the attack and resumed from it, as
     * an upgrade through the operator does: every alert arrives, none twice, and alerts whose events
     * lie on both sides of the savepoint come out whole, so the CEP and alert state went across.
     */
    @Test
    void aStreamStoppedWithASavepointAndResumedLosesAndRepeatsNoAlert() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        String in = "sysmon-cluster";
        String alerts = "alerts-cluster";
        String group = "sysmon-cep-cluster";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 2, true);
        List<String> lines = new ArrayList<>();
        s.events().forEach(e -> lines.add(SysmonLineWriter.render(e, Map.of(), SourceFormat.FLAT_JSON)));
        List<String> args = List.of("stream", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", in,
                "--group-id", group, "--alert-topic", alerts, "--checkpoint-interval", "1s");

        // Before the savepoint: the first half of the events, all read and checkpointed, some alerts out.
        Map<TopicPartition, Long> firstHalf = produce(in, lines.subList(0, lines.size() / 2));
        String first = cluster.rest().runJar(jarId, args, 2);
        Poll.until("the first half checkpointed and an alert committed", DEADLINE, () -> {
            assertRunning(first);
            return committedOffsets(group).equals(firstHalf) && !KAFKA.readAll(alerts).isEmpty();
        }, () -> failureOf(first));
        String request = cluster.rest().stopWithSavepoint(first, workDir.resolve("savepoints").toUri().toString());
        String[] savepoint = new String[1];
        Poll.until("the savepoint of " + first, DEADLINE,
                () -> (savepoint[0] = cluster.rest().savepointLocation(first, request)) != null, () -> failureOf(first));
        assertThat(awaitEnd(first, DEADLINE)).isEqualTo("FINISHED");
        Map<String, String> beforeSavepoint = latest(KAFKA.readAll(alerts));

        // After it: the rest, and a clock event on each partition that closes every window.
        List<String> rest = new ArrayList<>(lines.subList(lines.size() / 2, lines.size()));
        produce(in, rest);
        produceClock(in);
        String resumed = cluster.rest().runJarFromSavepoint(jarId, args, 2, savepoint[0]);
        Poll.until("every expected alert in its final state", DEADLINE, () -> {
            assertRunning(resumed);
            return asExpected(latest(KAFKA.readAll(alerts)).values().stream().map(FlinkClusterIT::tree).toList())
                    .containsAll(s.expected());
        }, () -> failureOf(resumed));

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        Map<String, String> finalAlerts = latest(committed);
        assertThat(asExpected(finalAlerts.values().stream().map(FlinkClusterIT::tree).toList()))
                .containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(beforeSavepoint).isNotEmpty();
        assertThat(finalAlerts.keySet()).containsAll(beforeSavepoint.keySet()).hasSizeGreaterThan(beforeSavepoint.size());
        // Each alert at most when it opened and, once its window closed, final: never a record twice.
        Map<String, List<String>> perAlert = new HashMap<>();
        committed.forEach(r -> perAlert.computeIfAbsent(text(r.key()), k -> new ArrayList<>()).add(text(r.value())));
        assertThat(perAlert.values()).allSatisfy(updates -> assertThat(updates).hasSizeBetween(1, 2).doesNotHaveDuplicates());
        cluster.checkAlive();
        // Its slots go back for the other tests.
        cluster.rest().cancel(resumed);
        assertThat(awaitEnd(resumed, DEADLINE)).isEqualTo("CANCELED");
    }

    /**
     * A TaskManager process killed mid-stream, after a checkpoint completed, with records in flight
     * and possibly in Kafka transactions it never gets to commit or abort. The job has restarts on
     * (as {@code flink run -D} sets them); it resumes from its checkpoint on a new TaskManager, and
     * a read_committed consumer of the alerts topic then sees exactly what a run without failure
     * leaves: every expected alert, each as it opened (one event) and, once its window closed,
     * once more in its final state; no record missing or twice. The same job also writes the alerts
     * to an OpenSearch node, which upserts by alert id: its index ends with exactly those alerts,
     * each document the alert's final state.
     */
    @Test
    void aStreamWhoseTaskManagerIsKilledResumesOnANewOneWithExactlyTheAlertsOfARunWithoutFailure() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        String in = "sysmon-killed";
        String alerts = "alerts-killed";
        String group = "sysmon-cep-killed";
        String index = "sysmon-cep-killed";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 2, true);
        List<String> lines = new ArrayList<>();
        s.events().forEach(e -> lines.add(SysmonLineWriter.render(e, Map.of(), SourceFormat.ECS_JSON)));
        List<String> args = List.of("stream", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", in,
                "--group-id", group, "--alert-topic", alerts, "--transactional-id-prefix", group,
                "--checkpoint-interval", "1s", "--elasticsearch", SEARCH.url().toString(), "--elasticsearch-index", index);

        Map<TopicPartition, Long> firstHalf = produce(in, lines.subList(0, lines.size() / 2));
        String job = cluster.rest().runJar(jarId, args, 2, Map.of("restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "10", "restart-strategy.fixed-delay.delay", "1 s"));
        Poll.until("the first half checkpointed and an alert committed", DEADLINE, () -> {
            assertRunning(job);
            return committedOffsets(group).equals(firstHalf) && !KAFKA.readAll(alerts).isEmpty();
        }, () -> failureOf(job));
        long killedAt = System.nanoTime();
        produce(in, lines.subList(lines.size() / 2, lines.size()));
        cluster.killTaskManagers();
        cluster.startTaskManager();
        long[] restored = new long[1];
        Poll.until("the job restored from a checkpoint and checkpointing again on the new TaskManager", DEADLINE, () -> {
            assertRunning(job);
            restored[0] = cluster.rest().restoredCheckpoint(job);
            return restored[0] > 0 && cluster.rest().latestCheckpoint(job) > restored[0];
        }, () -> failureOf(job));
        System.out.printf("TaskManager killed; the job restored checkpoint %d on a new one and checkpointed again "
                + "%.1f s later%n", restored[0], (System.nanoTime() - killedAt) / 1e9);
        produceClock(in);
        Poll.until("every expected alert in its final state", DEADLINE, () -> {
            assertRunning(job);
            return asExpected(latest(KAFKA.readAll(alerts)).values().stream().map(FlinkClusterIT::tree).toList())
                    .containsAll(s.expected());
        }, () -> failureOf(job));
        Map<String, JsonNode> finalStates = new HashMap<>();
        latest(KAFKA.readAll(alerts)).forEach((id, json) -> finalStates.put(id, tree(json)));
        Poll.until("the index holding every alert in its final state", DEADLINE, () -> {
            assertRunning(job);
            return indexed(index).equals(finalStates);
        }, () -> failureOf(job) + "\nindexed: " + indexed(index).keySet() + "\nexpected: " + finalStates.keySet());
        cluster.rest().cancel(job);
        assertThat(awaitEnd(job, DEADLINE)).isEqualTo("CANCELED");

        assertThat(cluster.rest().failures(job)).as("the failures the job went through").isNotEmpty();
        assertThat(indexed(index)).isEqualTo(finalStates);
        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        Map<String, List<JsonNode>> perAlert = new HashMap<>();
        committed.forEach(r -> perAlert.computeIfAbsent(text(r.key()), k -> new ArrayList<>()).add(tree(text(r.value()))));
        List<JsonNode> finals = perAlert.values().stream().map(updates -> updates.get(updates.size() - 1)).toList();
        assertThat(asExpected(finals)).containsExactlyInAnyOrderElementsOf(s.expected());
        assertThat(perAlert.values()).allSatisfy(updates -> {
            long count = updates.get(updates.size() - 1).at("/event/count").asLong();
            List<String> shape = updates.stream()
                    .map(u -> u.at("/event/count").asLong() + (u.at("/sysmon_cep/final").asBoolean() ? " final" : " open")).toList();
            assertThat(shape).isEqualTo(List.of("1 open", count + " final"));
        });
        cluster.checkAlive();
    }

    /** The documents in the index by id, as a search sees them now. */
    static Map<String, JsonNode> indexed(String index) {
        try {
            SEARCH.rest().refresh(index);
            Map<String, JsonNode> documents = new HashMap<>();
            SEARCH.rest().post("/" + index + "/_search?ignore_unavailable=true", Map.of("size", 1000))
                    .at("/hits/hits").forEach(hit -> documents.put(hit.path("_id").asText(), hit.path("_source")));
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertRunning(String jobId) throws IOException, InterruptedException {
        cluster.checkAlive();
        String state = cluster.rest().jobState(jobId);
        if (TERMINAL.contains(state)) {
            throw new AssertionError("job " + jobId + " ended " + state + failureOf(jobId));
        }
    }

    /** Writes lines alternately to the two partitions, each in the order given; returns the end offsets. */
    static Map<TopicPartition, Long> produce(String topic, List<String> lines) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (int i = 0; i < lines.size(); i++) {
                RecordMetadata written = producer.send(new ProducerRecord<>(topic, i % 2, null,
                        lines.get(i).getBytes(StandardCharsets.UTF_8))).get();
                ends.put(new TopicPartition(topic, written.partition()), written.offset() + 1);
            }
        }
        return ends;
    }

    /** An ordinary Sysmon event no rule matches, hours after the scenarios, on each partition. */
    static void produceClock(String topic) throws Exception {
        List<String> ticks = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            SysmonEvent tick = Scenarios.dns("CLOCK-" + p, "{00000000-0000-0000-0000-00000000C10C}", "4", CLOCK, "example.com");
            tick.image = "C:\\Windows\\System32\\svchost.exe";
            ticks.add(SysmonLineWriter.render(tick, Map.of(), SourceFormat.FLAT_JSON));
        }
        produce(topic, ticks);
    }

    /** The consumer group's offsets, which the Kafka source commits when a checkpoint completes. */
    static Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> offsets.put(partition, offset.offset()));
            return offsets;
        }
    }

    static Map<String, String> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> latest = new HashMap<>();
        records.forEach(r -> latest.put(text(r.key()), text(r.value())));
        return latest;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
