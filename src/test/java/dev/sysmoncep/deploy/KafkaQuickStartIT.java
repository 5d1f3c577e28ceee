package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.kafka.KafkaTestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's Kafka quick start, command for command, as a new user runs it from the project
 * folder: {@code job/kafka-local} starts a real broker (Kafka 4.2 from Maven Central) with the
 * topics, {@code job/sysmon-cep stream} runs the job on an embedded Flink, the bundled samples go
 * in, and the alerts come out; once an event two hours later closes their windows, the compacted
 * alerts topic holds each alert as the replay of the same samples writes it, final.
 */
class KafkaQuickStartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Path SAMPLES = Path.of("job/samples");

    @TempDir
    Path dir;

    @Test
    void theQuickStartStreamsTheSamplesToAlertsThatEndAsTheReplaysFinalAlerts() throws Exception {
        int port = freePortPair();
        Map<String, String> env = Map.of("SYSMON_CEP_KAFKA_PORT", Integer.toString(port),
                "SYSMON_CEP_KAFKA_DIR", dir.resolve("kafka").toString());
        String brokers = "127.0.0.1:" + port;
        Process stream = null;
        try {
            Run start = run(env, "job/kafka-local", "start");
            assertThat(start.exit()).as(start.output()).isZero();
            assertThat(start.output()).contains("Kafka 4.2.0 at " + brokers, "sysmon-cep-alerts (compacted)",
                    "sysmon-cep-rules (compacted)");

            Path streamLog = dir.resolve("stream.log");
            stream = new ProcessBuilder("job/sysmon-cep", "stream", "--bootstrap-servers", brokers, "--topics", "sysmon",
                    "--alert-topic", "sysmon-cep-alerts", "--dead-letter-topic", "sysmon-cep-dead-letters",
                    "--late-topic", "sysmon-cep-late-events", "--rules-topic", "sysmon-cep-rules",
                    "--checkpoint-interval", "2s", "--idleness", "5s",
                    "--out-of-orderness", "5s")
                    .redirectErrorStream(true).redirectOutput(streamLog.toFile()).start();

            List<String> produce = new ArrayList<>(List.of("job/kafka-local", "produce"));
            produce.addAll(sampleFiles());
            Run produced = run(env, produce.toArray(String[]::new));
            assertThat(produced.exit()).as(produced.output()).isZero();
            assertThat(produced.output()).contains("wrote 736 lines to sysmon");

            Map<String, String> replayed = replayOfTheSamples();
            Map<String, String> latest = new HashMap<>();
            Process job = stream;
            try (KafkaConsumer<byte[], byte[]> alerts = KafkaTestBroker.committedReader(properties(brokers), "sysmon-cep-alerts")) {
                Poll.until("the samples' alerts, open", DEADLINE, () -> read(alerts, latest, job).keySet().equals(replayed.keySet()),
                        () -> "; so far " + latest.keySet() + "; stream log: " + textOf(streamLog));
                assertThat(latest.values()).noneMatch(KafkaQuickStartIT::isFinal);

                Run later = run(env, "job/kafka-local", "produce", "job/kafka/two-hours-later.xml");
                assertThat(later.exit()).as(later.output()).isZero();
                Poll.until("every alert final", DEADLINE, () -> read(alerts, latest, job).values().stream().allMatch(KafkaQuickStartIT::isFinal),
                        () -> "; so far " + latest + "; stream log: " + textOf(streamLog));
            }
            // Ctrl-C or a kill of job/sysmon-cep must stop the job: the launcher is the job's JVM, not its parent.
            assertThat(stream.descendants()).as("processes under job/sysmon-cep stream").isEmpty();
            for (Map.Entry<String, String> alert : latest.entrySet()) {
                assertThat(withoutOrigin(alert.getValue())).as(alert.getKey()).isEqualTo(withoutOrigin(replayed.get(alert.getKey())));
            }

            // The README's rules update: a version with ifconfig.me, taken by the running job.
            Run made = run(env, "bash", "-c", "{ echo \"version: 1\"; sed \"s/- '\\*spam.dnsbl.sorbs.net'/&\\n        - "
                    + "'*ifconfig.me'/\" src/main/resources/rules/wermgr-rules.yml; } > " + dir.resolve("rules-v1.yml"));
            assertThat(made.exit()).as(made.output()).isZero();
            Run published = run(env, "job/kafka-local", "publish-rules", dir.resolve("rules-v1.yml").toString());
            assertThat(published.output()).contains("to sysmon-cep-rules at offset 0");
            Poll.until("version 1 in force", DEADLINE, () -> {
                Run rules = run(env, "job/sysmon-cep", "rules", "--bootstrap-servers", brokers, "--rules-topic", "sysmon-cep-rules");
                assertThat(job.isAlive()).as("job/sysmon-cep stream runs").isTrue();
                return rules.exit() == 0 && rules.stdout().contains("In force in group sysmon-cep's running job: version 1 sha256")
                        && rules.stdout().contains("*ifconfig.me");
            }, () -> "; stream log: " + textOf(streamLog));

            Run consumed = run(env, "job/kafka-local", "consume", "sysmon-cep-alerts", "--timeout-ms", "5000");
            List<String> records = consumed.stdout().lines().toList();
            assertThat(records).as("two records per alert, key and value: " + consumed.output()).hasSize(2 * replayed.size())
                    .allSatisfy(r -> {
                        String[] keyAndValue = r.split("\t", 2);
                        assertThat(replayed).containsKey(keyAndValue[0]);
                        assertThat(JSON.readTree(keyAndValue[1]).at("/event/id").asText()).isEqualTo(keyAndValue[0]);
                    });
        } finally {
            if (stream != null) {
                stream.destroy();
                if (!stream.waitFor(30, TimeUnit.SECONDS)) {
                    stream.destroyForcibly();
                }
            }
            run(env, "job/kafka-local", "stop");
        }
    }

    /** Reads what has been committed since, keeping the latest value per alert id; fails if the job died. */
    private static Map<String, String> read(KafkaConsumer<byte[], byte[]> alerts, Map<String, String> latest, Process job) {
        if (!job.isAlive()) {
            throw new AssertionError("job/sysmon-cep stream ended with exit code " + job.exitValue());
        }
        alerts.poll(Duration.ofMillis(500)).forEach(r ->
                latest.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8)));
        return latest;
    }

    private Map<String, String> replayOfTheSamples() throws Exception {
        Path out = dir.resolve("replayed.jsonl");
        ReplayCommand replay = new ReplayCommand();
        new CommandLine(replay).parseArgs("--input", SAMPLES.toString(), "--output", out.toString(), "--quiet");
        replay.run();
        Map<String, String> byId = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            byId.put(JSON.readTree(line).at("/event/id").asText(), line);
        }
        return byId;
    }

    /** The files the README names: the attack sample and the real OTRF lines. */
    private static List<String> sampleFiles() throws IOException {
        List<String> files = new ArrayList<>(List.of(SAMPLES.resolve("attack/qakbot-wermgr.xml").toString()));
        try (Stream<Path> real = Files.list(SAMPLES.resolve("real"))) {
            real.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(p -> files.add(p.toString()));
        }
        return files;
    }

    private static boolean isFinal(String alert) {
        try {
            return JSON.readTree(alert).at("/sysmon_cep/final").asBoolean();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A file line and a topic offset are different places for one event; all else must agree. */
    private static JsonNode withoutOrigin(String alert) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(alert);
        ((ObjectNode) tree.path("sysmon_cep")).remove("first_event_origin");
        return tree;
    }

    private static String textOf(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static Properties properties(String brokers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        return p;
    }

    record Run(int exit, String stdout, String output) {}

    private Run run(Map<String, String> env, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + DEADLINE);
        }
        String stdout = Files.readString(out);
        return new Run(p.exitValue(), stdout, stdout + Files.readString(err));
    }

    /** A port whose neighbour is free too: the broker's controller listens on port + 1. */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    ServerSocket second = new ServerSocket(first.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress())) {
                return first.getLocalPort();
            } catch (IOException taken) {
                // try another pair
            }
        }
        throw new IOException("no two neighbouring free ports on 127.0.0.1");
    }
}
