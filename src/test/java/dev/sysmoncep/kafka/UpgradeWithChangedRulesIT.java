package dev.sysmoncep.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An upgrade of the rule data under a running detection: the streaming job (as {@code sysmon-cep
 * stream} runs it, real Kafka broker, Flink MiniCluster) is stopped with a savepoint while a
 * sequence and an alert aggregation are open, and resumed from that savepoint with a rule file that
 * lists one more IP-check service. Nothing open may be lost, and the new service must match.
 */
class UpgradeWithChangedRulesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Instant T0 = Scenarios.T0;
    private static final String HOST = "WS-FIN-07.corp.example.com";
    /** Creates a pipe before the upgrade, looks up the new service after it: a sequence across the savepoint. */
    private static final String SEQUENCE_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000AE01}";
    /** Connects to one pipe before and after the upgrade: one alert aggregating all three events. */
    private static final String AGGREGATED_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000AE02}";
    /** Looks up a service the old rules already listed, after the upgrade. */
    private static final String OLD_SERVICE_GUID = "{3CFDEE80-2F7D-605B-F50A-00000000AE03}";
    private static final String NEW_SERVICE = "ifconfig.me";

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    @Test
    void aSavepointResumesUnderRulesWithOneMoreIpCheckServiceWithItsOpenSequenceAndAggregation() throws Exception {
        Path changedRules = withOneMoreIpCheckService(dir.resolve("wermgr-rules-plus-ifconfig.yml"));
        SysmonEvent newServiceLookup = Scenarios.dns(HOST, SEQUENCE_GUID, "7172", T0.plus(Duration.ofMinutes(10)), NEW_SERVICE);
        assertThat(RuleSet.bundled().eventRule(Scenarios.IP_CHECK_RULE).matches(newServiceLookup))
                .as("the bundled rules do not know the new service").isFalse();

        String in = "sysmon-upgrade";
        String alerts = "alerts-upgrade";
        KAFKA.createTopic(in, 1, false);
        KAFKA.createTopic(alerts, 2, true);

        // Before: a pipe that opens a sequence, and a pipe group that opens an alert and grows; then an
        // unmatched event minutes later so the watermark passes them and their first alerts leave.
        List<SysmonEvent> before = List.of(
                Scenarios.pipe(HOST, SEQUENCE_GUID, "7172", T0, 17, "\\pipe\\{8C1A-qbot}"),
                Scenarios.pipe(HOST, AGGREGATED_GUID, "7200", T0.plus(Duration.ofMinutes(1)), 18, "\\pipe\\ntsvcs-2"),
                Scenarios.pipe(HOST, AGGREGATED_GUID, "7200", T0.plus(Duration.ofMinutes(2)), 18, "\\pipe\\ntsvcs-2"),
                unmatched(T0.plus(Duration.ofMinutes(4))));
        JobClient first = stream(in, alerts);
        produce(in, before);
        Map<String, String> beforeUpgrade;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the two pipe alerts", DEADLINE, first, r -> r.latestByKey().size() == 2,
                    CommittedRecords::latestByKey);
            beforeUpgrade = committed.latestByKey();
        }
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        // The savepoint is now the only memory of the first events: they are deleted from the topic, so
        // a job that did not restore its state could not read them again.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(in, 0), RecordsToDelete.beforeOffset(before.size())))
                    .all().get(30, TimeUnit.SECONDS);
        }
        String sequencePipeAlert = idOf(beforeUpgrade, SEQUENCE_GUID);
        String aggregatedAlert = idOf(beforeUpgrade, AGGREGATED_GUID);
        assertThat(count(beforeUpgrade.get(aggregatedAlert))).as("the open aggregation left when it opened").isEqualTo(1);

        // After, under the changed rules: the new service looked up by the process that made the pipe,
        // the pipe group again, an old service by another process, and a clock hours later.
        List<SysmonEvent> after = List.of(
                newServiceLookup,
                Scenarios.dns(HOST, OLD_SERVICE_GUID, "7300", T0.plus(Duration.ofMinutes(15)), "api.ipify.org"),
                Scenarios.pipe(HOST, AGGREGATED_GUID, "7200", T0.plus(Duration.ofMinutes(20)), 18, "\\pipe\\ntsvcs-2"),
                unmatched(T0.plus(Duration.ofHours(5))));
        produce(in, after);
        JobClient second = stream(in, alerts, "--restore-from", savepoint, "--rules", changedRules.toString());
        List<Expected> expected = List.of(
                new Expected(Scenarios.PIPE_RULE, HOST, SEQUENCE_GUID, 1),
                new Expected(Scenarios.PIPE_RULE, HOST, AGGREGATED_GUID, 3),
                new Expected(Scenarios.IP_CHECK_RULE, HOST, SEQUENCE_GUID, 1),
                new Expected(Scenarios.SEQUENCE_RULE, HOST, SEQUENCE_GUID, 1),
                new Expected(Scenarios.IP_CHECK_RULE, HOST, OLD_SERVICE_GUID, 1));
        Map<String, String> latest;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the alerts of both runs", DEADLINE, second,
                    r -> StreamJobs.asExpected(r.latestByKey().values()).containsAll(expected)
                            && r.latestByKey().size() == expected.size(),
                    r -> StreamJobs.asExpected(r.latestByKey().values()));
            latest = committed.latestByKey();
        }
        second.cancel().get(30, TimeUnit.SECONDS);
        // Exactly once across the upgrade: each alert of the first run left when it opened, before the
        // upgrade, and once more, final, after it.
        Map<String, Long> updates = KAFKA.readAll(alerts).stream().collect(Collectors.groupingBy(
                r -> new String(r.key(), StandardCharsets.UTF_8), Collectors.counting()));
        assertThat(updates.get(sequencePipeAlert)).isEqualTo(2);
        assertThat(updates.get(aggregatedAlert)).isEqualTo(2);

        // The aggregation went on under its id: first and last event on either side of the upgrade.
        JsonNode aggregated = JSON.readTree(latest.get(aggregatedAlert));
        assertThat(aggregated.at("/event/count").asLong()).isEqualTo(3);
        assertThat(aggregated.at("/event/start").asText()).isEqualTo(T0.plus(Duration.ofMinutes(1)).toString());
        assertThat(aggregated.at("/event/end").asText()).isEqualTo(T0.plus(Duration.ofMinutes(20)).toString());
        assertThat(aggregated.at("/sysmon_cep/final").asBoolean()).isTrue();

        // The sequence joined the pipe alert from before the upgrade and the new service's alert after it.
        JsonNode newService = alertOf(latest, Scenarios.IP_CHECK_RULE, SEQUENCE_GUID);
        assertThat(newService.at("/dns/question/name").asText()).isEqualTo(NEW_SERVICE);
        JsonNode sequence = alertOf(latest, Scenarios.SEQUENCE_RULE, SEQUENCE_GUID);
        List<String> related = new ArrayList<>();
        sequence.at("/sysmon_cep/related_alert_ids").forEach(id -> related.add(id.asText()));
        assertThat(related).containsExactlyInAnyOrder(sequencePipeAlert, newService.at("/event/id").asText());
        assertThat(sequence.at("/event/start").asText()).isEqualTo(T0.toString());
        assertThat(sequence.at("/event/end").asText()).isEqualTo(T0.plus(Duration.ofMinutes(10)).toString());
        assertThat(sequence.at("/dns/question/name").toString()).contains(NEW_SERVICE);

        assertThat(alertOf(latest, Scenarios.IP_CHECK_RULE, OLD_SERVICE_GUID).at("/dns/question/name").asText())
                .isEqualTo("api.ipify.org");
    }

    /** The bundled rule file with one more entry in the IP-check list. */
    private static Path withOneMoreIpCheckService(Path file) throws Exception {
        String bundled;
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(RuleSet.BUNDLED)) {
            bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String last = "        - '*spam.dnsbl.sorbs.net'\n";
        assertThat(bundled).contains(last);
        Files.writeString(file, bundled.replace(last, last + "        - '*" + NEW_SERVICE + "'\n"));
        return file;
    }

    /** A DNS lookup by svchost.exe: no rule matches it, but it moves event time on. */
    private static SysmonEvent unmatched(Instant t) {
        SysmonEvent e = Scenarios.dns(HOST, "{00000000-0000-0000-0000-00000000C10C}", "4", t, "example.com");
        e.image = "C:\\Windows\\System32\\svchost.exe";
        return e;
    }

    private JobClient stream(String in, String alerts, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", in,
                "--alert-topic", alerts, "--group-id", "test-" + in, "--transactional-id-prefix", "test-" + in,
                "--checkpoint-interval", "500ms", "--start-from", "earliest", "-p", "2", "--idleness", "1s"));
        args.addAll(List.of(more));
        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command.start(Map.of());
    }

    private static void produce(String topic, List<SysmonEvent> events) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (SysmonEvent e : events) {
                byte[] line = SysmonLineWriter.render(e, Map.of(), SourceFormat.FLAT_JSON).getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, line)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String idOf(Map<String, String> alerts, String guid) throws Exception {
        for (Map.Entry<String, String> a : alerts.entrySet()) {
            if (JSON.readTree(a.getValue()).at("/process/entity_id").asText().equals(guid)) {
                return a.getKey();
            }
        }
        throw new AssertionError("no alert for " + guid + " in " + alerts.values());
    }

    private static JsonNode alertOf(Map<String, String> alerts, String ruleId, String guid) throws Exception {
        for (String a : alerts.values()) {
            JsonNode alert = JSON.readTree(a);
            if (alert.at("/rule/id").asText().equals(ruleId) && alert.at("/process/entity_id").asText().equals(guid)) {
                return alert;
            }
        }
        throw new AssertionError("no alert of rule " + ruleId + " for " + guid + " in " + alerts.values());
    }

    private static long count(String alert) throws Exception {
        return JSON.readTree(alert).at("/event/count").asLong();
    }
}
