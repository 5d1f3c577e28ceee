package dev.sysmoncep.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.CapturedOutput;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.cli.SysmonCep;
import dev.sysmoncep.cli.UserError;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The streaming job against a real broker (KRaft, in this JVM) whose only listener takes SASL/PLAIN
 * logins: security.protocol and sasl.mechanism come from the --kafka-properties file, the JAAS login
 * from SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG. Every Kafka client the job builds (the source's consumer
 * and admin client, the producers of alerts, dead letters and late events, their committers) must
 * log in, or its records never arrive. Wrong credentials end the command with exit code 6 and
 * Kafka's reason; the password shows in no log line nor on stdout or stderr.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SaslKafkaStreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = KafkaTestBroker.saslPlain();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @AfterEach
    void cancelJobsLeftRunning(@InjectClusterClient ClusterClient<?> flink) throws Exception {
        TestFlink.cancelJobsLeftRunning(flink);
    }

    @TempDir
    Path dir;

    @Test
    void theJobLogsInWithTheGivenCredentialsForEveryTopicAndTheirSecretIsNeverWritten() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        KAFKA.createTopic("sasl-in", 1, false);
        KAFKA.createTopic("sasl-alerts", 1, true);
        KAFKA.createTopic("sasl-dead-letters", 1, false);
        KAFKA.createTopic("sasl-late", 1, false);
        List<byte[]> lines = new ArrayList<>();
        for (SysmonEvent e : scenario.events()) {
            lines.add(line(e));
        }
        lines.add("{\"winlog\": {\"event_id\": 22, ".getBytes(StandardCharsets.UTF_8));
        SysmonEvent clock = Scenarios.dns("CLOCK", "{00000000-0000-0000-0000-00000000C10C}", "4",
                Scenarios.T0.plus(Duration.ofHours(5)), "example.com");
        clock.image = "C:\\Windows\\System32\\svchost.exe";
        lines.add(line(clock));

        String output;
        try (CapturedOutput captured = new CapturedOutput()) {
            JobClient job = stream(Map.of("SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG",
                    KafkaTestBroker.plainLogin(KafkaTestBroker.USER, KafkaTestBroker.USER_PASSWORD)));
            produce(lines);
            try (CommittedRecords alerts = new CommittedRecords(KAFKA, "sasl-alerts")) {
                alerts.awaitUntil("expected alerts", DEADLINE, job,
                        r -> sameElements(asExpected(r.latestByKey().values()), scenario.expected()),
                        r -> asExpected(r.latestByKey().values()));
            }
            // Hours behind the watermark now: late.
            produce(List.of(line(Scenarios.pipe("WS-FIN-07.corp.example.com", "{3CFDEE80-2F7D-605B-F50A-00000000AE01}",
                    "7172", Scenarios.T0.plusSeconds(30), 18, "\\pipe\\{8C1A-qbot}"))));
            try (CommittedRecords late = new CommittedRecords(KAFKA, "sasl-late");
                    CommittedRecords dead = new CommittedRecords(KAFKA, "sasl-dead-letters")) {
                late.awaitUntil("late event", DEADLINE, job, r -> !r.records().isEmpty(), r -> r.records().size());
                dead.awaitUntil("dead letter", DEADLINE, job, r -> !r.records().isEmpty(), r -> r.records().size());
            }
            job.cancel().get(30, TimeUnit.SECONDS);
            output = captured.text();
        }

        assertThat(KAFKA.readAll("sasl-late")).hasSize(1);
        assertThat(KAFKA.readAll("sasl-dead-letters")).hasSize(1);
        // The Kafka clients' own dumps of their configuration were captured, and hide the login.
        assertThat(output).contains("ProducerConfig values", "ConsumerConfig values", "AdminClientConfig values",
                "sasl.jaas.config = [hidden]", "sasl.jaas.config=[redacted]");
        assertThat(output).doesNotContain(KafkaTestBroker.USER_PASSWORD);
    }

    @Test
    void wrongCredentialsEndTheCommandWithExitCode6AndKafkasReasonButNotThePassword() throws Exception {
        String wrongPassword = "not-the-" + KafkaTestBroker.USER_PASSWORD;
        Path properties = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SASL_PLAINTEXT\n"
                + "sasl.mechanism=PLAIN\nsasl.jaas.config=" + KafkaTestBroker.plainLogin(KafkaTestBroker.USER, wrongPassword)
                .replace("\\", "\\\\") + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String logged;
        int exit;
        try (CapturedOutput captured = new CapturedOutput()) {
            CommandLine cli = SysmonCep.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit = cli.execute("stream", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", "sasl-in",
                    "--alert-topic", "sasl-alerts", "--kafka-properties", properties.toString());
            logged = captured.text();
        }

        assertThat(exit).as(err.toString()).isEqualTo(6);
        assertThat(err.toString()).startsWith("sysmon-cep stream: Kafka at " + KAFKA.bootstrapServers()
                + " refused the login (Authentication failed").contains("check security.protocol, sasl.mechanism");
        assertThat(out + err.toString() + logged).doesNotContain(wrongPassword);

        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", "sasl-in",
                "--alert-topic", "sasl-alerts");
        assertThatThrownBy(() -> command.start(Map.of("SYSMON_CEP_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "SYSMON_CEP_KAFKA_SASL_MECHANISM", "PLAIN", "SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG",
                KafkaTestBroker.plainLogin("nobody", wrongPassword))))
                .as("no job is submitted").isInstanceOf(UserError.class).hasMessageContaining("refused the login");
    }

    private JobClient stream(Map<String, String> environment) throws Exception {
        Path properties = Files.writeString(dir.resolve("kafka.properties"),
                "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n");
        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", "sasl-in",
                "--alert-topic", "sasl-alerts", "--dead-letter-topic", "sasl-dead-letters", "--late-topic", "sasl-late",
                "--kafka-properties", properties.toString(), "--group-id", "sasl-test",
                "--transactional-id-prefix", "sasl-test", "--checkpoint-interval", "500ms", "--start-from", "earliest",
                "-p", "1");
        return command.start(environment);
    }

    private static void produce(List<byte[]> lines) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (byte[] line : lines) {
                producer.send(new ProducerRecord<>("sasl-in", 0, null, line)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static byte[] line(SysmonEvent e) {
        return SysmonLineWriter.render(e, Map.of(), SourceFormat.ECS_JSON).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Expected> asExpected(java.util.Collection<String> alerts) {
        return alerts.stream().map(SaslKafkaStreamIT::tree).map(a -> new Expected(a.at("/rule/id").asText(),
                a.at("/host/name").asText(), a.at("/process/entity_id").asText(), a.at("/event/count").asLong())).toList();
    }

    private static boolean sameElements(List<Expected> actual, List<Expected> expected) {
        return actual.stream().collect(Collectors.groupingBy(e -> e, Collectors.counting()))
                .equals(expected.stream().collect(Collectors.groupingBy(e -> e, Collectors.counting())));
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
