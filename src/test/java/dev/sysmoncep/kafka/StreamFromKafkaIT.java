package dev.sysmoncep.kafka;

import static dev.sysmoncep.kafka.StreamJobs.asExpected;
import static dev.sysmoncep.kafka.StreamJobs.bytes;
import static dev.sysmoncep.kafka.StreamJobs.clockLines;
import static dev.sysmoncep.kafka.StreamJobs.header;
import static dev.sysmoncep.kafka.StreamJobs.isFinal;
import static dev.sysmoncep.kafka.StreamJobs.latest;
import static dev.sysmoncep.kafka.StreamJobs.produce;
import static dev.sysmoncep.kafka.StreamJobs.realLines;
import static dev.sysmoncep.kafka.StreamJobs.render;
import static dev.sysmoncep.kafka.StreamJobs.replay;
import static dev.sysmoncep.kafka.StreamJobs.stream;
import static dev.sysmoncep.kafka.StreamJobs.text;
import static dev.sysmoncep.kafka.StreamJobs.tree;
import static dev.sysmoncep.kafka.StreamJobs.withoutPlace;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.StreamJobs.Line;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.kafka.AlertRecordSerializer;
import dev.sysmoncep.sink.kafka.DeadLetterRecordSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job as {@code sysmon-cep stream} runs it, against a real Kafka broker (KRaft, in this
 * JVM) and a Flink MiniCluster: Sysmon lines in, alerts out through Kafka transactions, read back the
 * way a consumer of the alerts topic reads them ({@code read_committed}).
 *
 * <p>A streaming job never ends, so each test waits until the expected records are committed and
 * then cancels the job. For the last alert windows to close, each written partition gets a "clock"
 * event: an ordinary Sysmon event that no rule matches, hours after the scenarios (more than the
 * suppression and sequence windows plus the tolerance), which moves the watermark past every window.
 */
class StreamFromKafkaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

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
    void attackScenariosAmongRealEventsGiveExactlyTheExpectedAlertsAndTheReplaysAlerts() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-a";
        String alerts = "alerts-a";
        String deadLetters = "dead-letters-a";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 3, true);
        KAFKA.createTopic(deadLetters, 1, false);

        // Real background records (2019-2021) with the scenario's events (2024) spread evenly among
        // them, each partition in event time order as far as the scenario goes; malformed records
        // in between. The background matches no rule, so its lag never makes anything late.
        List<String> background = realLines();
        List<String> attack = render(scenario.events());
        List<byte[]> malformed = List.of(
                bytes("{\"winlog\": {\"event_id\": 22, "),
                bytes("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"),
                bytes("[1, 2, 3]"),
                new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe});
        List<Line> lines = new ArrayList<>();
        int every = background.size() / (attack.size() + malformed.size());
        int a = 0;
        int m = 0;
        int firstPart = 0;
        for (int i = 0; i < background.size(); i++) {
            lines.add(Line.of(i % 2, background.get(i)));
            if (i % every == every - 1) {
                if (m < malformed.size() && (m <= a || a == attack.size())) {
                    lines.add(new Line(m % 2, malformed.get(m++)));
                } else if (a < attack.size()) {
                    lines.add(Line.of(a % 2, attack.get(a++)));
                    if (a == attack.size() / 2) {
                        firstPart = lines.size();
                    }
                }
            }
        }
        while (a < attack.size()) {
            lines.add(Line.of(a % 2, attack.get(a++)));
        }
        lines.add(new Line(1, null));
        // A blank record is counted as blank, neither an event nor a dead letter.
        lines.add(new Line(0, bytes("   ")));
        lines.addAll(clockLines(2));

        // The first part, with every malformed record, is written and seen through (its first alerts
        // are out, so watermarks have gone past it) before the rest: a record that is no event must
        // not move the watermark by its Kafka timestamp (now), or the rest would all come late.
        JobClient job = stream(KAFKA, in, alerts, "--dead-letter-topic", deadLetters, "-p", "2");
        List<RecordMetadata> written = new ArrayList<>(produce(KAFKA, in, lines.subList(0, firstPart)));
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("first alerts", DEADLINE, job, r -> !r.records().isEmpty(), r -> r.records().size());
        }
        written.addAll(produce(KAFKA, in, lines.subList(firstPart, lines.size())));
        Map<String, String> streamed = awaitAlerts(alerts, scenario.expected(), job);
        // The dead letters' own transactions may commit a checkpoint or two after the last alerts'.
        try (CommittedRecords dead = new CommittedRecords(KAFKA, deadLetters)) {
            dead.awaitUntil("every dead letter", DEADLINE, job, r -> r.records().size() >= malformed.size() + 1,
                    r -> r.records().size());
        }
        job.cancel().get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        assertThat(latest(committed)).isEqualTo(streamed);
        assertThat(asExpected(streamed.values())).containsExactlyInAnyOrderElementsOf(scenario.expected());
        // Exactly once: each alert exactly twice, when it opened and final when its window closed, never repeated.
        Map<String, List<String>> perAlert = committed.stream().collect(Collectors.groupingBy(
                r -> text(r.key()), Collectors.mapping(r -> text(r.value()), Collectors.toList())));
        assertThat(perAlert.values()).allSatisfy(updates -> {
            assertThat(updates).hasSize(2).doesNotHaveDuplicates();
            assertThat(isFinal(updates.get(0))).isFalse();
            assertThat(isFinal(updates.get(1))).isTrue();
        });
        assertThat(committed).allSatisfy(r -> {
            assertThat(header(r, AlertRecordSerializer.RULE_ID_HEADER)).isEqualTo(JSON.readTree(r.value()).at("/rule/id").asText());
            assertThat(header(r, AlertRecordSerializer.FINAL_HEADER)).isEqualTo(Boolean.toString(isFinal(text(r.value()))));
        });

        List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.readAll(deadLetters);
        assertThat(dead).hasSize(malformed.size() + 1);
        Map<String, byte[]> malformedAt = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            if (l.value() == null || malformed.stream().anyMatch(bad -> Arrays.equals(bad, l.value()))) {
                malformedAt.put(in + "/" + l.partition() + "@" + written.get(i).offset(), l.value());
            }
        }
        assertThat(dead).allSatisfy(d -> {
            assertThat(header(d, DeadLetterRecordSerializer.REASON_HEADER)).isNotBlank();
            assertThat(header(d, DeadLetterRecordSerializer.SOURCE_TOPIC_HEADER)).isEqualTo(in);
            String origin = in + "/" + header(d, DeadLetterRecordSerializer.SOURCE_PARTITION_HEADER) + "@"
                    + header(d, DeadLetterRecordSerializer.SOURCE_OFFSET_HEADER);
            assertThat(header(d, DeadLetterRecordSerializer.ORIGIN_HEADER)).isEqualTo(origin);
            assertThat(malformedAt).as("a malformed record was written at " + origin).containsKey(origin);
            byte[] original = malformedAt.get(origin);
            assertThat(d.value()).isEqualTo(original == null ? new byte[0] : original);
        });
        assertThat(dead).anySatisfy(d -> assertThat(header(d, DeadLetterRecordSerializer.REASON_HEADER)).contains("no value"));

        // The batch replay of the same lines: the same alerts, with the same ids, in the same final state
        // (final: true too, once the clock events closed every window) but for where they came from.
        Map<String, JsonNode> fromReplay = replay(dir, "same-lines", lines);
        assertThat(streamed.keySet()).containsExactlyInAnyOrderElementsOf(fromReplay.keySet());
        streamed.forEach((id, json) -> assertThat(withoutPlace(tree(json))).as(id).isEqualTo(fromReplay.get(id)));
    }

    @Test
    void oneProcessOverThreePartitionsOutOfOrderWithAnIdlePartitionGivesTheExpectedAlertsAndLateEventsApart()
            throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-b";
        String alerts = "alerts-b";
        String late = "late-b";
        KAFKA.createTopic(in, 4, false);
        KAFKA.createTopic(alerts, 2, true);
        KAFKA.createTopic(late, 1, false);
        Duration tolerance = Duration.ofMinutes(2);

        // Partitions 0-2 take the events in turn, so every process's events are spread over them;
        // within a partition an event may come up to the tolerance after later ones (sorting by time
        // plus a random delay below the tolerance guarantees that and no more). Partition 3 stays
        // empty: with a short idleness it must not hold the watermark, and so the alerts, back.
        Random random = new Random(11);
        List<List<SysmonEvent>> partitions = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<SysmonEvent> events = scenario.events();
        for (int i = 0; i < events.size(); i++) {
            partitions.get(i % 3).add(events.get(i));
        }
        List<Line> lines = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            Map<SysmonEvent, Long> arrival = new HashMap<>();
            partitions.get(p).forEach(e -> arrival.put(e, e.eventTime + (long) (random.nextDouble() * (tolerance.toMillis() - 1))));
            List<SysmonEvent> shuffled = new ArrayList<>(partitions.get(p));
            shuffled.sort(Comparator.comparing(arrival::get));
            for (String line : render(shuffled)) {
                lines.add(Line.of(p, line));
            }
        }
        lines.addAll(clockLines(3));

        JobClient job = stream(KAFKA, in, alerts, "--late-topic", late, "--out-of-orderness", "2m", "--idleness", "1s",
                "-p", "2");
        produce(KAFKA, in, lines);
        Map<String, String> streamed = awaitAlerts(alerts, scenario.expected(), job);
        // Now that the watermark has passed every window: a wermgr pipe event from the scenario's
        // start, which a rule matches but which comes hours behind. It must leave on the late topic
        // and change no alert.
        SysmonEvent tooLate = Scenarios.pipe("WS-FIN-07.corp.example.com", "{3CFDEE80-2F7D-605B-F50A-00000000AE01}",
                "7172", Scenarios.T0.plusSeconds(30), 18, "\\pipe\\{8C1A-qbot}");
        produce(KAFKA, in, List.of(Line.of(0, SysmonLineWriter.render(tooLate, Map.of(), SourceFormat.FLAT_JSON))));
        try (CommittedRecords lateEvents = new CommittedRecords(KAFKA, late)) {
            lateEvents.awaitUntil("late event", DEADLINE, job, r -> !r.records().isEmpty(), r -> r.records().size());
        }
        job.cancel().get(30, TimeUnit.SECONDS);

        assertThat(asExpected(latest(KAFKA.readAll(alerts)).values()))
                .containsExactlyInAnyOrderElementsOf(scenario.expected());
        assertThat(latest(KAFKA.readAll(alerts))).isEqualTo(streamed);
        List<ConsumerRecord<byte[], byte[]>> lateRecords = KAFKA.readAll(late);
        assertThat(lateRecords).hasSize(1);
        JsonNode lateEvent = JSON.readTree(lateRecords.get(0).value());
        assertThat(lateEvent.path("topic").asText()).isEqualTo(in);
        assertThat(lateEvent.path("partition").asInt()).isZero();
        assertThat(lateEvent.path("event_time").asText()).isEqualTo(Scenarios.T0.plusSeconds(30).toString());
        assertThat(lateEvent.path("ProcessGuid").asText()).isEqualTo(tooLate.processGuid);
    }

    @Test
    void aJobStoppedWithASavepointAndResumedNeitherLosesNorRepeatsAnAlert() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-c";
        String alerts = "alerts-c";
        KAFKA.createTopic(in, 2, false);
        KAFKA.createTopic(alerts, 2, true);
        List<String> attack = render(scenario.events());
        int half = attack.size() / 2;
        List<Line> before = new ArrayList<>();
        List<Line> after = new ArrayList<>();
        for (int i = 0; i < attack.size(); i++) {
            (i < half ? before : after).add(Line.of(i % 2, attack.get(i)));
        }
        after.addAll(clockLines(2));

        // The first run sees half the events and stops, with a savepoint, once alerts have left;
        // others are open or pending in its state. The second run resumes from the savepoint.
        JobClient first = stream(KAFKA, in, alerts);
        produce(KAFKA, in, before);
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("first alerts", DEADLINE, first, r -> !r.records().isEmpty(), r -> r.records().size());
        }
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        int committedBefore = KAFKA.readAll(alerts).size();
        assertThat(committedBefore).isPositive();

        produce(KAFKA, in, after);
        JobClient second = stream(KAFKA, in, alerts, "--restore-from", savepoint);
        Map<String, String> streamed = awaitAlerts(alerts, scenario.expected(), second);
        second.cancel().get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        assertThat(latest(committed)).isEqualTo(streamed);
        Map<String, List<String>> perAlert = committed.stream().collect(Collectors.groupingBy(
                r -> text(r.key()), Collectors.mapping(r -> text(r.value()), Collectors.toList())));
        assertThat(perAlert.values()).allSatisfy(updates -> assertThat(updates).hasSizeBetween(1, 2).doesNotHaveDuplicates());
        assertThat(committed.size()).isGreaterThan(committedBefore);
    }

    /** Waits until the alerts' latest states are the expected ones, each final; returns them by alert id. */
    private static Map<String, String> awaitAlerts(String topic, List<Expected> expected, JobClient job) throws Exception {
        try (CommittedRecords alerts = new CommittedRecords(KAFKA, topic)) {
            alerts.awaitUntil("expected alerts, each final", DEADLINE, job,
                    r -> sameElements(asExpected(r.latestByKey().values()), expected)
                            && r.latestByKey().values().stream().allMatch(StreamJobs::isFinal),
                    r -> asExpected(r.latestByKey().values()));
            return alerts.latestByKey();
        }
    }

    private static boolean sameElements(List<Expected> actual, List<Expected> expected) {
        Map<Expected, Long> a = actual.stream().collect(Collectors.groupingBy(e -> e, Collectors.counting()));
        Map<Expected, Long> e = expected.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        return a.equals(e);
    }
}
