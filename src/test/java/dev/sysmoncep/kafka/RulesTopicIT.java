package dev.sysmoncep.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.SysmonCep;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.live.RulesTopic;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.kafka.DeadLetterRecordSerializer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Rules updated live from a rules topic, as {@code sysmon-cep stream --rules-topic} runs it (real
 * broker, Flink MiniCluster, two subtasks): an engineer adds the IP-check service ifconfig.me and
 * raises its risk while the job runs, without a restart.
 */
class RulesTopicIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Instant T0 = Scenarios.T0;
    private static final String HOST = "WS-FIN-07.corp.example.com";
    /** Makes a pipe before the update and looks up ifconfig.me after it: a sequence across the update. */
    private static final String SEQUENCE_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000BE01}";
    /** Connects to one pipe before and after the update: one alert across it. */
    private static final String PIPE_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000BE02}";
    /** Looks up ifconfig.me before the update: no alert, then or later. */
    private static final String EARLY_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000BE03}";
    /** Looks up ifconfig.me after the update. */
    private static final String LATER_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000BE04}";
    /** Looks up ifconfig.me after two refused versions. */
    private static final String AFTER_REFUSALS_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000BE05}";
    private static final String NEW_SERVICE = "ifconfig.me";

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    @AfterEach
    void cancelJobsLeftRunning(@InjectClusterClient ClusterClient<?> flink) throws Exception {
        TestFlink.cancelJobsLeftRunning(flink);
    }

    @Test
    void aNewVersionAppliesToEventsReadAfterItWithOpenAlertsAndSequencesGoingOnAndBadVersionsRefused() throws Exception {
        String in = "sysmon-live";
        String alerts = "alerts-live";
        String rules = "rules-live";
        String deadLetters = "dead-letters-live";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 2, true);
        KAFKA.createTopic(rules, 1, true);
        KAFKA.createTopic(deadLetters, 1, false);
        JobClient job = StreamJobs.stream(KAFKA, in, alerts, "--rules-topic", rules, "--dead-letter-topic", deadLetters,
                "-p", "2");

        // Under the bundled rules (version 0): a pipe opens an alert and a partial sequence, another
        // pipe opens an alert, and ifconfig.me is looked up, which no rule lists yet.
        produce(in, List.of(
                Scenarios.pipe(HOST, SEQUENCE_GUID, "7172", T0, 17, "\\pipe\\{8C1A-qbot}"),
                Scenarios.pipe(HOST, PIPE_GUID, "7200", T0.plus(Duration.ofMinutes(1)), 18, "\\pipe\\ntsvcs-2"),
                Scenarios.dns(HOST, EARLY_GUID, "7250", T0.plus(Duration.ofMinutes(2)), NEW_SERVICE)));
        StreamJobs.produce(KAFKA, in, StreamJobs.ticks(2, T0.plus(Duration.ofMinutes(5))));
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the two pipe alerts", DEADLINE, job, r -> r.latestByKey().size() == 2,
                    CommittedRecords::latestByKey);
        }

        String version1 = withIfconfigMe(1, 72);
        String sha1 = RuleSet.parse(version1.getBytes(StandardCharsets.UTF_8), "v1").fileVersion().sha256;
        publish(rules, version1);
        awaitInForce(job, "test-" + in, rules, "version 1 ");
        StringWriter listing = new StringWriter();
        CommandLine cli = SysmonCep.commandLine();
        cli.setOut(new PrintWriter(listing, true));
        assertThat(cli.execute("rules", "--bootstrap-servers", KAFKA.bootstrapServers(), "--rules-topic", rules,
                "--group-id", "test-" + in)).isZero();
        assertThat(listing.toString()).contains(
                "In force in group test-" + in + "'s running job: version 1 sha256 " + sha1 + " from " + rules + "/0@0",
                "A job starting now takes rules version 1 (sha256 " + sha1.substring(0, 12), "*ifconfig.me");

        // Under version 1: the pipe's process looks up ifconfig.me (completing the sequence), the pipe
        // is connected to again (joining its open alert), and another process looks up ifconfig.me.
        produce(in, List.of(
                Scenarios.dns(HOST, SEQUENCE_GUID, "7172", T0.plus(Duration.ofMinutes(10)), NEW_SERVICE),
                Scenarios.pipe(HOST, PIPE_GUID, "7200", T0.plus(Duration.ofMinutes(12)), 18, "\\pipe\\ntsvcs-2"),
                Scenarios.dns(HOST, LATER_GUID, "7300", T0.plus(Duration.ofMinutes(14)), "api." + NEW_SERVICE)));

        // Two versions the job must refuse: one that is no rule file, one that adds a rule.
        publish(rules, "rules: [\n  - id: broken\n");
        publish(rules, withAnotherRule(withIfconfigMe(2, 72)));
        List<ConsumerRecord<byte[], byte[]>> refused;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, deadLetters)) {
            committed.awaitUntil("two refused rule versions", DEADLINE, job, r -> r.records().size() >= 2,
                    r -> r.records().size() + " dead letters");
            refused = committed.records();
        }
        assertThat(refused).hasSize(2).allSatisfy(r -> assertThat(
                StreamJobs.header(r, DeadLetterRecordSerializer.SOURCE_TOPIC_HEADER)).isEqualTo(rules));
        assertThat(StreamJobs.header(refused.get(0), DeadLetterRecordSerializer.REASON_HEADER))
                .startsWith("rules not applied: not a valid rule file");
        assertThat(StreamJobs.header(refused.get(1), DeadLetterRecordSerializer.REASON_HEADER))
                .contains("adds rule 0b9a3c2e-live-test").contains("Restart the job from a savepoint");

        // Detection goes on under version 1.
        produce(in, List.of(Scenarios.dns(HOST, AFTER_REFUSALS_GUID, "7400", T0.plus(Duration.ofMinutes(20)), NEW_SERVICE)));
        StreamJobs.produce(KAFKA, in, StreamJobs.clockLines(2));
        Map<String, String> latest;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the alerts of both versions, final", DEADLINE, job,
                    r -> r.latestByKey().size() == 6 && r.latestByKey().values().stream().allMatch(StreamJobs::isFinal),
                    r -> StreamJobs.asExpected(r.latestByKey().values()));
            latest = committed.latestByKey();
        }
        job.cancel().get(60, TimeUnit.SECONDS);

        JsonNode sequencePipe = alert(latest, Scenarios.PIPE_RULE, SEQUENCE_GUID);
        assertThat(sequencePipe.at("/sysmon_cep/rules/version").asInt()).as("raised under the bundled rules").isZero();
        assertThat(sequencePipe.at("/sysmon_cep/rules/sha256").asText())
                .isEqualTo(RuleSet.bundled().fileVersion().sha256);
        assertThat(alert(latest, Scenarios.PIPE_RULE, PIPE_GUID).at("/event/count").asLong())
                .as("the open pipe alert took the pipe connected after the update").isEqualTo(2);
        for (String guid : List.of(SEQUENCE_GUID, LATER_GUID, AFTER_REFUSALS_GUID)) {
            JsonNode ipCheck = alert(latest, Scenarios.IP_CHECK_RULE, guid);
            assertThat(ipCheck.at("/sysmon_cep/rules/version").asInt()).isEqualTo(1);
            assertThat(ipCheck.at("/sysmon_cep/rules/sha256").asText()).isEqualTo(sha1);
            assertThat(ipCheck.at("/event/risk_score").asInt()).as("version 1's risk").isEqualTo(72);
        }
        assertThat(alert(latest, Scenarios.SEQUENCE_RULE, SEQUENCE_GUID).at("/event/count").asLong())
                .as("the sequence begun before the update completed after it").isEqualTo(1);
        assertThat(latest.values()).noneMatch(a -> a.contains(EARLY_GUID));
    }

    @Test
    void aSavepointTakenAfterAnUpdateRestoresItsVersionThoughTheTopicNoLongerHoldsIt() throws Exception {
        String in = "sysmon-live-savepoint";
        String alerts = "alerts-live-savepoint";
        String rules = "rules-live-savepoint";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 2, true);
        // Not compacted, only so that the test can delete the version from it.
        KAFKA.createTopic(rules, 1, false);
        String group = "test-" + in;
        JobClient first = StreamJobs.stream(KAFKA, in, alerts, "--rules-topic", rules, "-p", "2");
        publish(rules, withIfconfigMe(1, 72));
        awaitInForce(first, group, rules, "version 1 ");
        // A pipe alert shows the job runs on every subtask before the savepoint is asked for.
        produce(in, List.of(Scenarios.pipe(HOST, PIPE_GUID, "7200", T0, 18, "\\pipe\\ntsvcs-2")));
        StreamJobs.produce(KAFKA, in, StreamJobs.ticks(2, T0.plus(Duration.ofMinutes(5))));
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the pipe alert", DEADLINE, first, r -> r.latestByKey().size() == 1,
                    CommittedRecords::latestByKey);
        }
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(rules, 0), RecordsToDelete.beforeOffset(1)))
                    .all().get(30, TimeUnit.SECONDS);
        }

        // The topic is empty now, so the command line starts from the bundled rules; the savepoint knows better.
        JobClient second = StreamJobs.stream(KAFKA, in, alerts, "--rules-topic", rules, "-p", "2",
                "--restore-from", savepoint);
        produce(in, List.of(Scenarios.dns(HOST, LATER_GUID, "7300", T0.plus(Duration.ofMinutes(14)), NEW_SERVICE)));
        StreamJobs.produce(KAFKA, in, StreamJobs.clockLines(2));
        Map<String, String> latest;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the ifconfig.me alert", DEADLINE, second, r -> r.latestByKey().size() == 2,
                    CommittedRecords::latestByKey);
            latest = committed.latestByKey();
        }
        second.cancel().get(60, TimeUnit.SECONDS);
        assertThat(alert(latest, Scenarios.IP_CHECK_RULE, LATER_GUID).at("/sysmon_cep/rules/version").asInt()).isEqualTo(1);
    }

    /** Waits until the group's job has committed that version as in force on the rules topic. */
    private static void awaitInForce(JobClient job, String group, String topic, String version) throws Exception {
        Properties client = new Properties();
        client.put("bootstrap.servers", KAFKA.bootstrapServers());
        client.put("group.id", group);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            RulesTopic.InForce inForce = RulesTopic.inForce(client, topic);
            if (inForce != null && inForce.version().startsWith(version)) {
                return;
            }
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()).as("job ended").isFalse();
            assertThat(System.nanoTime()).as("%s in force within %s; now %s", version, DEADLINE, inForce).isLessThan(end);
            TimeUnit.MILLISECONDS.sleep(200); // between two looks at the condition

        }
    }

    private static JsonNode alert(Map<String, String> latest, String ruleId, String guid) {
        return latest.values().stream().map(StreamJobs::tree)
                .filter(a -> a.at("/rule/id").asText().equals(ruleId) && a.at("/process/entity_id").asText().equals(guid))
                .findFirst().orElseThrow(() -> new AssertionError("no alert of rule " + ruleId + " for " + guid
                        + " among " + StreamJobs.asExpected(latest.values())));
    }

    /** Each event on the partition of its process, as a collector keyed by host would spread them. */
    private static void produce(String topic, List<SysmonEvent> events) throws Exception {
        List<String> lines = StreamJobs.render(events);
        List<StreamJobs.Line> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            records.add(StreamJobs.Line.of(i % 2, lines.get(i)));
        }
        StreamJobs.produce(KAFKA, topic, records);
    }

    private static void publish(String topic, String ruleFile) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            producer.send(new ProducerRecord<>(topic, 0, StreamJobs.bytes("rules"), StreamJobs.bytes(ruleFile)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The bundled rules with ifconfig.me listed and the IP-check rule's risk changed, as that version. */
    private static String withIfconfigMe(int version, int risk) throws Exception {
        String bundled;
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(RuleSet.BUNDLED)) {
            bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String last = "        - '*spam.dnsbl.sorbs.net'\n";
        assertThat(bundled).contains(last).contains("    risk_score: 56\n");
        return "version: " + version + "\n" + bundled.replace(last, last + "        - '*" + NEW_SERVICE + "'\n")
                .replace("    risk_score: 56\n", "    risk_score: " + risk + "\n");
    }

    /** The file with one more event rule, which a running job cannot take. */
    private static String withAnotherRule(String file) {
        return file.replace("rules:\n", "rules:\n"
                + "  - id: 0b9a3c2e-live-test\n"
                + "    name: Wermgr Loads A Module\n"
                + "    message: wermgr.exe on $dest$\n"
                + "    match:\n"
                + "      EventCode: [\"7\"]\n"
                + "      process_name: [wermgr.exe]\n"
                + "    group_by: [host, ProcessGuid]\n");
    }
}
