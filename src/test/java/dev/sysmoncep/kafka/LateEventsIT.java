package dev.sysmoncep.kafka;

import static dev.sysmoncep.kafka.StreamJobs.asExpected;
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
import static dev.sysmoncep.kafka.StreamJobs.ticks;
import static dev.sysmoncep.kafka.StreamJobs.tree;
import static dev.sysmoncep.kafka.StreamJobs.withoutPlace;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.alert.AlertIds;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.StreamJobs.Line;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.kafka.AlertRecordSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
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
 * Late events through {@code sysmon-cep stream} against a real Kafka broker (KRaft, in this JVM) and a
 * Flink MiniCluster, with a 2 s out-of-order tolerance: an event up to the allowed lateness behind
 * the watermark still opens, joins or completes its alert, which leaves at once marked late; an
 * alert whose window start a late event moves is retracted with a tombstone, so that the compacted
 * alerts topic ends holding what a replay of the same lines raises. Later events go to the late topic.
 *
 * <p>What comes late never depends on how fast the job reads: lines are written in batches, and
 * after each the test waits until the job's watermark has passed all of it (a probe, see
 * {@link #probe}). Within a batch each partition's events are in event time order, so an event is
 * late exactly when its time is behind the watermark a probe before it set.
 */
class LateEventsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Duration TOLERANCE = Duration.ofSeconds(2);
    /** How long after its time an event may come: less than the default allowed lateness (1 h). */
    private static final Duration MOST_DELAY = Duration.ofMinutes(50);
    /** The arrival times a batch of the shuffled delivery covers. */
    private static final Duration BATCH = Duration.ofMinutes(40);
    private static final int PARTITIONS = 2;
    private static final long SEED = 18;
    private static final String PROBE_HOST = "PROBE.corp.example.com";
    private static final String MOVED_GROUP_HOST = "WS-HR-02.corp.example.com";
    private static final RuleSet RULES = RuleSet.bundled();

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

    /** The job's input topic, its compacted alert topic and its late topic. */
    private static void createTopics(String in, String alerts, int alertPartitions, String late) throws Exception {
        KAFKA.createTopic(in, PARTITIONS, false);
        KAFKA.createTopic(alerts, alertPartitions, true);
        KAFKA.createTopic(late, 1, false);
    }

    /** Lines written together; then, unless {@code probe} is null, a wait for that probe process's alert. */
    private record Batch(List<Line> lines, String probe) {}

    /**
     * The batches in the order written, and where (in {@link #lines()}) the lines are that a rule
     * matches and that come behind the watermark.
     */
    private record Delivery(List<Batch> batches, List<Integer> behindWatermark) {
        List<Line> lines() {
            return batches.stream().flatMap(b -> b.lines().stream()).toList();
        }

        List<Line> onTime() {
            List<Line> all = lines();
            return IntStream.range(0, all.size()).filter(i -> !behindWatermark.contains(i)).mapToObj(all::get).toList();
        }
    }

    @Test
    void shuffledEventsWithinTheAllowedLatenessLeaveTheCompactedTopicHoldingTheReplaysAlerts() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-shuffled";
        String alerts = "alerts-shuffled";
        String late = "late-shuffled";
        createTopics(in, alerts, 3, late);
        Delivery delivery = shuffledInBatches(scenario);

        // Expected: the replay's alerts, which are the scenario's and one per probe, all final; none of
        // the events is later than the allowed lateness, so none reaches the late topic.
        Map<String, JsonNode> fromReplay = replay(dir, "same-lines", delivery.lines());
        assertThat(asExpected(withoutProbes(fromReplay))).containsExactlyInAnyOrderElementsOf(scenario.expected());
        assertThat(delivery.behindWatermark()).isNotEmpty();
        String movedAway = movedAwayAlertId(scenario);
        assertThat(fromReplay).doesNotContainKey(movedAway);

        JobClient job = stream(KAFKA, in, alerts, "--late-topic", late, "--out-of-orderness", "2s", "-p", "2");
        deliver(delivery, in, alerts, job);
        Map<String, String> streamed = awaitFinal(alerts, fromReplay, job);
        job.cancel().get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        assertThat(latest(committed)).isEqualTo(streamed);
        streamed.forEach((id, json) -> assertThat(withoutLateness(withoutPlace(tree(json)))).as(id)
                .isEqualTo(withoutLateness(fromReplay.get(id))));
        List<JsonNode> markedLate = committed.stream().filter(r -> r.value() != null).map(r -> tree(text(r.value())))
                .filter(a -> a.at("/sysmon_cep/late").asBoolean()).toList();
        assertThat(markedLate).isNotEmpty().allSatisfy(a -> assertThat(a.at("/sysmon_cep/lateness_ms").asLong())
                .isBetween(0L, Duration.ofHours(1).toMillis()));
        // The group's alert its second event opened, chunks before its first came, is gone from the topic.
        List<ConsumerRecord<byte[], byte[]>> ofMovedAway = committed.stream()
                .filter(r -> text(r.key()).equals(movedAway)).toList();
        assertThat(ofMovedAway).hasSizeGreaterThanOrEqualTo(2);
        assertThat(ofMovedAway.get(0).value()).isNotNull();
        ConsumerRecord<byte[], byte[]> tombstone = ofMovedAway.get(ofMovedAway.size() - 1);
        assertThat(tombstone.value()).isNull();
        assertThat(header(tombstone, AlertRecordSerializer.RETRACTED_HEADER)).isEqualTo("true");
        assertThat(committed).filteredOn(r -> r.value() == null)
                .allSatisfy(r -> assertThat(header(r, AlertRecordSerializer.RETRACTED_HEADER)).isEqualTo("true"));
        assertThat(KAFKA.readAll(late)).isEmpty();
    }

    @Test
    void withNoAllowedLatenessTheLateEventsGoToTheLateTopicAndRaiseNothing() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-no-lateness";
        String alerts = "alerts-no-lateness";
        String late = "late-no-lateness";
        createTopics(in, alerts, 3, late);
        Delivery delivery = shuffledInBatches(scenario);

        // Expected: today's behaviour. Each event behind the watermark goes to the late topic and
        // counts for nothing, so the alerts are those of a replay without them: fewer than the
        // replay of every line gives, none marked late, none retracted.
        Map<String, JsonNode> fromReplay = replay(dir, "same-lines", delivery.lines());
        Map<String, JsonNode> withoutLateEvents = replay(dir, "on-time-lines", delivery.onTime());
        assertThat(withoutLateEvents.size()).isLessThan(fromReplay.size());

        JobClient job = stream(KAFKA, in, alerts, "--allowed-lateness", "0", "--late-topic", late,
                "--out-of-orderness", "2s", "-p", "2");
        List<RecordMetadata> written = deliver(delivery, in, alerts, job);
        Map<String, String> streamed = awaitFinal(alerts, withoutLateEvents, job);
        try (CommittedRecords lateEvents = new CommittedRecords(KAFKA, late)) {
            lateEvents.awaitUntil("every late event", DEADLINE, job,
                    r -> r.records().size() >= delivery.behindWatermark().size(), r -> r.records().size());
        }
        job.cancel().get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        assertThat(committed).allSatisfy(r -> {
            assertThat(r.value()).isNotNull();
            assertThat(tree(text(r.value())).at("/sysmon_cep/late").asBoolean()).isFalse();
        });
        assertThat(latest(committed)).isEqualTo(streamed);
        streamed.forEach((id, json) -> assertThat(withoutPlace(tree(json))).as(id).isEqualTo(withoutLateEvents.get(id)));
        List<String> lateOrigins = KAFKA.readAll(late).stream().map(r -> tree(text(r.value())))
                .map(e -> e.path("partition").asInt() + "@" + e.path("offset").asLong()).toList();
        List<String> behindOrigins = delivery.behindWatermark().stream().map(written::get)
                .map(m -> m.partition() + "@" + m.offset()).toList();
        assertThat(lateOrigins).containsExactlyInAnyOrderElementsOf(behindOrigins);
    }

    @Test
    void anEventLaterThanTheAllowedLatenessGoesToTheLateTopicAndChangesNoAlert() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        String in = "sysmon-too-late";
        String alerts = "alerts-too-late";
        String late = "late-too-late";
        createTopics(in, alerts, 2, late);
        List<String> attack = render(scenario.events());
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < attack.size(); i++) {
            lines.add(Line.of(i % PARTITIONS, attack.get(i)));
        }
        lines.addAll(clockLines(PARTITIONS));
        Map<String, JsonNode> fromReplay = replay(dir, "scenario", lines);

        JobClient job = stream(KAFKA, in, alerts, "--allowed-lateness", "10m", "--late-topic", late,
                "--out-of-orderness", "2s", "-p", "2");
        produce(KAFKA, in, lines);
        Map<String, String> before = awaitFinal(alerts, fromReplay, job);
        int recordsBefore = KAFKA.readAll(alerts).size();
        // Three hours behind the watermark, which the clock events set: a pipe event of the scenario's
        // first process that, let in, would open an alert of its own (the process's window has closed).
        // Expected: on the late topic, and not one alert record more but the probe's after it.
        Instant threeHoursBehind = StreamJobs.CLOCK.minus(Duration.ofHours(3));
        SysmonEvent tooLate = Scenarios.pipe("WS-FIN-07.corp.example.com", "{3CFDEE80-2F7D-605B-F50A-00000000AE01}",
                "7172", threeHoursBehind, 18, "\\pipe\\{8C1A-qbot}");
        List<RecordMetadata> written = produce(KAFKA, in,
                List.of(Line.of(0, SysmonLineWriter.render(tooLate, Map.of(), SourceFormat.ECS_JSON))));
        try (CommittedRecords lateEvents = new CommittedRecords(KAFKA, late)) {
            lateEvents.awaitUntil("the late event", DEADLINE, job, r -> !r.records().isEmpty(), r -> r.records().size());
        }
        // Anything the late event raised would be out before the alert of a probe written after it.
        String probe = probeProcess(0);
        produce(KAFKA, in, probe(probe, StreamJobs.CLOCK.plus(Duration.ofMinutes(1))));
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the probe's alert", DEADLINE, job, r -> hasAlertOf(r, probe), r -> r.records().size());
        }
        job.cancel().get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<byte[], byte[]>> committed = KAFKA.readAll(alerts);
        assertThat(committed.stream().filter(r -> r.value() == null || !isProbe(tree(text(r.value()))))).hasSize(recordsBefore);
        Map<String, String> after = latest(committed);
        after.values().removeIf(a -> isProbe(tree(a)));
        assertThat(after).isEqualTo(before);
        List<ConsumerRecord<byte[], byte[]>> lateRecords = KAFKA.readAll(late);
        assertThat(lateRecords).hasSize(1);
        JsonNode lateEvent = tree(text(lateRecords.get(0).value()));
        assertThat(lateEvent.path("partition").asInt()).isZero();
        assertThat(lateEvent.path("offset").asLong()).isEqualTo(written.get(0).offset());
        assertThat(lateEvent.path("event_time").asText()).isEqualTo(threeHoursBehind.toString());
        assertThat(lateEvent.path("ProcessGuid").asText()).isEqualTo(tooLate.processGuid);
    }

    @Test
    void aLatePipeEventThatCompletesASequenceRaisesTheSequenceAlertAtOnce() throws Exception {
        String in = "sysmon-late-sequence";
        String alerts = "alerts-late-sequence";
        String late = "late-late-sequence";
        createTopics(in, alerts, 2, late);
        String host = "WS-ENG-04.corp.example.com";
        String guid = "{3CFDEE80-2F7D-605B-F50A-00000000AE09}";
        SysmonEvent pipe = Scenarios.pipe(host, guid, "7900", Scenarios.T0, 18, "\\pipe\\{8C1A-qbot}");
        SysmonEvent lookup = Scenarios.dns(host, guid, "7900", Scenarios.T0.plus(Duration.ofMinutes(5)), "api.ipify.org");
        // The lookup comes on time and the watermark passes it; the pipe event, five minutes before
        // it in event time, comes after that; then the clock events close every window.
        Instant passedLookup = Instant.ofEpochMilli(lookup.eventTime).plus(TOLERANCE).plusSeconds(1);
        List<Line> onTime = new ArrayList<>(List.of(Line.of(0, SysmonLineWriter.render(lookup, Map.of(), SourceFormat.ECS_JSON))));
        onTime.addAll(ticks(PARTITIONS, passedLookup));
        List<Line> latePipe = List.of(Line.of(1, SysmonLineWriter.render(pipe, Map.of(), SourceFormat.XML)));
        List<Line> lines = new ArrayList<>(onTime);
        lines.addAll(latePipe);
        lines.addAll(clockLines(PARTITIONS));

        // Expected: the replay's three alerts (the pipe's, the lookup's and the sequence's), the
        // sequence's leaving as soon as the pipe event is in, marked late by the five minutes and the
        // tick's lead, naming the pipe and the query, with the replay's two contributing alert ids.
        Map<String, JsonNode> fromReplay = replay(dir, "sequence", lines);
        assertThat(fromReplay.values()).extracting(a -> a.at("/rule/id").asText()).containsExactlyInAnyOrder(
                Scenarios.PIPE_RULE, Scenarios.IP_CHECK_RULE, Scenarios.SEQUENCE_RULE);
        JsonNode replayedSequence = fromReplay.values().stream()
                .filter(a -> a.at("/rule/id").asText().equals(Scenarios.SEQUENCE_RULE)).findFirst().orElseThrow();
        long latenessFrom = Duration.ofMinutes(5).toMillis();
        long latenessTo = watermarkAfter(passedLookup) - pipe.eventTime;

        JobClient job = stream(KAFKA, in, alerts, "--late-topic", late, "--out-of-orderness", "2s", "-p", "2");
        produce(KAFKA, in, onTime);
        JsonNode sequence;
        JsonNode pipeAlert;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the lookup's alert", DEADLINE, job, r -> hasAlert(r, Scenarios.IP_CHECK_RULE, guid),
                    r -> r.latestByKey().values());
            produce(KAFKA, in, latePipe);
            committed.awaitUntil("the pipe's and the sequence's alerts", DEADLINE, job,
                    r -> hasAlert(r, Scenarios.PIPE_RULE, guid) && hasAlert(r, Scenarios.SEQUENCE_RULE, guid),
                    r -> r.latestByKey().values());
            sequence = alertsOf(committed, Scenarios.SEQUENCE_RULE).get(0);
            pipeAlert = alertsOf(committed, Scenarios.PIPE_RULE).get(0);
        }
        produce(KAFKA, in, clockLines(PARTITIONS));
        Map<String, String> streamed = awaitFinal(alerts, fromReplay, job);
        job.cancel().get(30, TimeUnit.SECONDS);

        assertThat(sequence.at("/event/id").asText()).isEqualTo(replayedSequence.at("/event/id").asText());
        assertThat(sequence.at("/sysmon_cep/late").asBoolean()).isTrue();
        assertThat(sequence.at("/sysmon_cep/lateness_ms").asLong()).isBetween(latenessFrom, latenessTo);
        assertThat(sequence.at("/sysmon_cep/pipe_names")).containsExactly(TextNode.valueOf(pipe.pipeName));
        assertThat(sequence.at("/sysmon_cep/query_names")).containsExactly(TextNode.valueOf(lookup.queryName));
        assertThat(sequence.at("/sysmon_cep/related_alert_ids")).hasSize(2)
                .isEqualTo(replayedSequence.at("/sysmon_cep/related_alert_ids"));
        assertThat(pipeAlert.at("/sysmon_cep/late").asBoolean()).isTrue();
        assertThat(pipeAlert.at("/sysmon_cep/lateness_ms").asLong()).isEqualTo(latenessTo);
        streamed.forEach((id, json) -> assertThat(withoutLateness(withoutPlace(tree(json)))).as(id)
                .isEqualTo(withoutLateness(fromReplay.get(id))));
        assertThat(KAFKA.readAll(late)).isEmpty();
    }

    /**
     * The scenarios' events among real background lines, each coming up to {@link #MOST_DELAY} after
     * its time (sorted by time plus a random delay below it), written in batches of
     * {@link #BATCH} of arrival time, each but the last followed by a probe. One group's window is
     * made to move: WS-HR-02's pipe events (0, 30 and 61 minutes) come with the second at once and the
     * first 49 minutes late, a batch after the second opened the group's alert.
     */
    private static Delivery shuffledInBatches(Scenario scenario) throws IOException {
        List<SysmonEvent> events = scenario.events();
        List<String> rendered = render(events);
        Random random = new Random(SEED);
        long[] arrival = new long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            arrival[i] = events.get(i).eventTime + (long) (random.nextDouble() * MOST_DELAY.toMillis());
        }
        List<Integer> movedGroup = IntStream.range(0, events.size())
                .filter(i -> events.get(i).host.equals(MOVED_GROUP_HOST)).boxed().toList();
        arrival[movedGroup.get(0)] = events.get(movedGroup.get(0)).eventTime + MOST_DELAY.minusMinutes(1).toMillis();
        arrival[movedGroup.get(1)] = events.get(movedGroup.get(1)).eventTime;

        long start = Scenarios.T0.toEpochMilli();
        int batches = (int) ((IntStream.range(0, events.size()).mapToLong(i -> arrival[i]).max().orElseThrow() - start)
                / BATCH.toMillis()) + 1;
        List<List<Integer>> byBatch = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            byBatch.add(new ArrayList<>());
        }
        for (int i = 0; i < events.size(); i++) {
            byBatch.get((int) ((arrival[i] - start) / BATCH.toMillis())).add(i);
        }
        List<String> background = realLines();

        List<Batch> delivery = new ArrayList<>();
        List<Integer> behind = new ArrayList<>();
        int written = 0;
        long watermark = Long.MIN_VALUE;
        long latest = Long.MIN_VALUE;
        long nextProbe = Long.MIN_VALUE;
        for (int b = 0; b < batches; b++) {
            List<Integer> attack = byBatch.get(b);
            attack.sort(Comparator.comparingLong(i -> events.get(i).eventTime));
            int from = b * background.size() / batches;
            int to = (b + 1) * background.size() / batches;
            List<Line> lines = new ArrayList<>();
            int next = from;
            for (int j = 0; j < attack.size(); j++) {
                int upTo = from + (j + 1) * (to - from) / (attack.size() + 1);
                for (; next < upTo; next++) {
                    lines.add(Line.of(next % PARTITIONS, background.get(next)));
                }
                SysmonEvent e = events.get(attack.get(j));
                if (e.eventTime <= watermark && matchesARule(e)) {
                    behind.add(written + lines.size());
                }
                lines.add(Line.of(attack.get(j) % PARTITIONS, rendered.get(attack.get(j))));
                latest = Math.max(latest, e.eventTime);
            }
            for (; next < to; next++) {
                lines.add(Line.of(next % PARTITIONS, background.get(next)));
            }
            String probe = null;
            if (b < batches - 1) {
                probe = probeProcess(b);
                Instant at = Instant.ofEpochMilli(Math.max(latest, nextProbe));
                lines.addAll(probe(probe, at));
                Instant tick = at.plus(TOLERANCE).plusSeconds(1);
                watermark = watermarkAfter(tick);
                nextProbe = tick.toEpochMilli();
            } else {
                lines.addAll(clockLines(PARTITIONS));
            }
            delivery.add(new Batch(lines, probe));
            written += lines.size();
        }
        return new Delivery(delivery, behind);
    }

    /**
     * A probe at {@code time}: a wermgr pipe event of its own process on a host of its own, which
     * opens an alert once the watermark reaches it, then a tick on each partition more than the
     * tolerance later, which moves the watermark there (it is the least of the partitions').
     */
    private static List<Line> probe(String processGuid, Instant time) {
        SysmonEvent pipe = Scenarios.pipe(PROBE_HOST, processGuid, "4242", time, 18, "\\pipe\\probe");
        List<Line> lines = new ArrayList<>();
        lines.add(Line.of(0, SysmonLineWriter.render(pipe, Map.of(), SourceFormat.FLAT_JSON)));
        lines.addAll(ticks(PARTITIONS, time.plus(TOLERANCE).plusSeconds(1)));
        return lines;
    }

    private static String probeProcess(int n) {
        return String.format("{50B0E000-0000-0000-0000-%012d}", n);
    }

    /** The job's watermark once every partition has an event at {@code latest}: that less the tolerance, less 1 ms. */
    private static long watermarkAfter(Instant latest) {
        return latest.minus(TOLERANCE).toEpochMilli() - 1;
    }

    /** Writes each batch, then waits until its probe's alert is out: the watermark has passed the batch. */
    private static List<RecordMetadata> deliver(Delivery delivery, String in, String alerts, JobClient job) throws Exception {
        List<RecordMetadata> written = new ArrayList<>();
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            for (Batch b : delivery.batches()) {
                written.addAll(produce(KAFKA, in, b.lines()));
                if (b.probe() != null) {
                    committed.awaitUntil("the alert of probe " + b.probe(), DEADLINE, job, r -> hasAlertOf(r, b.probe()),
                            r -> r.records().size() + " records");
                }
            }
        }
        return written;
    }

    /** Waits until the topic's latest view holds exactly the expected alert ids, each final; returns it. */
    private static Map<String, String> awaitFinal(String topic, Map<String, JsonNode> expected, JobClient job)
            throws Exception {
        try (CommittedRecords alerts = new CommittedRecords(KAFKA, topic)) {
            alerts.awaitUntil("the expected alerts, each final", DEADLINE, job,
                    r -> r.latestByKey().keySet().equals(expected.keySet())
                            && r.latestByKey().values().stream().allMatch(StreamJobs::isFinal),
                    r -> difference(r.latestByKey(), expected));
            return alerts.latestByKey();
        }
    }

    /** What a failure shows: the alerts missing, those there beyond the expected ones, and those not yet final. */
    private static String difference(Map<String, String> latest, Map<String, JsonNode> expected) {
        Set<String> missing = new TreeSet<>();
        expected.forEach((id, a) -> {
            if (!latest.containsKey(id)) {
                missing.add(summary(a));
            }
        });
        Set<String> extra = new TreeSet<>();
        Set<String> open = new TreeSet<>();
        latest.forEach((id, a) -> {
            if (!expected.containsKey(id)) {
                extra.add(summary(tree(a)));
            } else if (!isFinal(a)) {
                open.add(summary(tree(a)));
            }
        });
        return "missing " + missing + ", beyond the expected " + extra + ", not final " + open;
    }

    /** Rule, host, process, window start and count of an alert. */
    private static String summary(JsonNode a) {
        return String.join(" ", a.at("/rule/id").asText().substring(0, 8), a.at("/host/name").asText(),
                a.at("/process/entity_id").asText(), a.at("/sysmon_cep/window_start").asText(),
                "count=" + a.at("/event/count").asText());
    }

    private static boolean hasAlertOf(CommittedRecords r, String processGuid) {
        return r.records().stream().anyMatch(c -> c.value() != null
                && tree(text(c.value())).at("/process/entity_id").asText().equals(processGuid));
    }

    private static boolean hasAlert(CommittedRecords r, String ruleId, String processGuid) {
        return alertsOf(r, ruleId).stream().anyMatch(a -> a.at("/process/entity_id").asText().equals(processGuid));
    }

    /** The rule's alert records committed so far, in the order read. */
    private static List<JsonNode> alertsOf(CommittedRecords r, String ruleId) {
        return r.records().stream().filter(c -> c.value() != null).map(c -> tree(text(c.value())))
                .filter(a -> a.at("/rule/id").asText().equals(ruleId)).toList();
    }

    /** The id of WS-HR-02's alert as its second pipe event opens it, before the group's first comes. */
    private static String movedAwayAlertId(Scenario scenario) {
        SysmonEvent second = scenario.events().stream().filter(e -> e.host.equals(MOVED_GROUP_HOST)).skip(1)
                .findFirst().orElseThrow();
        return AlertIds.of(Scenarios.PIPE_RULE, RULES.eventRule(Scenarios.PIPE_RULE).groupKey(second), second.eventTime);
    }

    private static boolean matchesARule(SysmonEvent e) {
        return RULES.eventRules().stream().anyMatch(r -> r.matches(e));
    }

    private static boolean isProbe(JsonNode alert) {
        return alert.at("/host/name").asText().equals(PROBE_HOST);
    }

    private static List<String> withoutProbes(Map<String, JsonNode> alerts) {
        return alerts.values().stream().filter(a -> !isProbe(a)).map(JsonNode::toString).collect(Collectors.toList());
    }

    /** The alert without the marks of lateness, which a replay never sets. */
    private static JsonNode withoutLateness(JsonNode alert) {
        ObjectNode copy = alert.deepCopy();
        ObjectNode own = (ObjectNode) copy.path("sysmon_cep");
        own.remove("late");
        own.remove("lateness_ms");
        return copy;
    }
}
