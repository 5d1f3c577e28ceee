package dev.sysmoncep.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.HookedSource;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.KafkaTestBroker;
import dev.sysmoncep.read.kafka.KafkaSysmonSource;
import dev.sysmoncep.read.kafka.StartingOffsets;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.kafka.KafkaOutputs;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * End-to-end exactly-once under failures: the streaming job, reading a real Kafka broker with
 * checkpoints on and writing alerts, dead letters and late events through Kafka transactions, fails
 * once at one of several points ({@link InjectedFailure}) after a checkpoint has completed, restarts
 * from that checkpoint, and still leaves on its topics, as a {@code read_committed} consumer sees
 * them, exactly what the same input gives without a failure.
 *
 * <p>What "exactly" means: for every alert id, the list of records committed under it (in offset
 * order; one partition per id) equals the failure-free run's, value for value: the alert as it
 * opened and, when later events joined it, its final state. So no alert is missing or extra, no
 * update is lost or written twice, and every final state matches. Dead letters and late events are
 * compared as sets of whole records (value and every header). The input's topic name is the only
 * difference allowed (it is in each record's origin), since every run reads its own copy.
 *
 * <p>The failure-free run is the {@code stream} command itself. A failing run builds the same job
 * ({@link KafkaSysmonSource}, {@link DetectionWorkflow}, {@link KafkaOutputs}) with the source and the
 * alert sink wrapped so that they can throw, an operator that can throw in between, and a restart
 * strategy allowing one restart: a second failure fails the test.
 */
class StreamFailuresIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
    private static final int PARTITIONS = 3;
    private static final String INPUT = "<input topic>";
    /** A wermgr pipe event of the first campaign host from the very start: late once the job is under way. */
    private static final SysmonEvent LATE = Scenarios.pipe(campaignHost(1), campaignGuid(1), "4100",
            Scenarios.T0.plusSeconds(30), 18, "\\pipe\\late-comer");

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

    /** The input in three parts, each a list of (partition, value); the failures happen in the second. */
    private static List<List<Line>> parts;
    private static Outputs withoutFailure;

    record Line(int partition, byte[] value) {}

    /** What a run left on its topics, the input topic's name replaced. */
    record Outputs(Map<String, List<String>> alerts, List<String> deadLetters, List<String> lateEvents) {}

    record Topics(String input, String alerts, String deadLetters, String late, String id) {
        static Topics of(String id) throws Exception {
            Topics t = new Topics("sysmon-" + id, "alerts-" + id, "dead-letters-" + id, "late-" + id, id);
            KAFKA.createTopic(t.input, PARTITIONS, false);
            KAFKA.createTopic(t.alerts, 2, true);
            KAFKA.createTopic(t.deadLetters, 1, false);
            KAFKA.createTopic(t.late, 1, false);
            return t;
        }
    }

    @BeforeAll
    static void runWithoutFailure(@TempDir Path dir) throws Exception {
        parts = input();
        Topics t = Topics.of("without-failure");
        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", t.input,
                "--alert-topic", t.alerts, "--dead-letter-topic", t.deadLetters, "--late-topic", t.late,
                "--group-id", "test-" + t.id, "--transactional-id-prefix", "test-" + t.id,
                "--checkpoint-interval", CHECKPOINT_INTERVAL.toMillis() + "ms", "--start-from", "earliest", "-p", "2");
        JobClient job = command.start(Map.of());
        for (List<Line> part : parts) {
            produce(t.input, part);
        }
        withoutFailure = finish(job, t, dir);

        // The reference itself is what the scenarios must raise: every alert of the Qakbot-like
        // scenario, and on each campaign host a pipe alert over 40 events and a sequence alert.
        List<Expected> finals = withoutFailure.alerts.values().stream()
                .map(updates -> asExpected(updates.get(updates.size() - 1))).toList();
        assertThat(finals).containsAll(Scenarios.qakbotLike().expected());
        for (int k = 1; k <= 4; k++) {
            assertThat(finals).contains(new Expected(Scenarios.PIPE_RULE, campaignHost(k), campaignGuid(k), 40));
            String host = campaignHost(k);
            assertThat(finals).anySatisfy(e -> assertThat(e).extracting(Expected::ruleId, Expected::host)
                    .containsExactly(Scenarios.SEQUENCE_RULE, host));
        }
        assertThat(withoutFailure.alerts.values()).anySatisfy(updates -> assertThat(updates).hasSize(2));
        assertThat(withoutFailure.deadLetters).hasSize(MALFORMED.size() + PARTITIONS);
        assertThat(withoutFailure.lateEvents).hasSize(1);
    }

    @ParameterizedTest(name = "failure {0}")
    @EnumSource(InjectedFailure.class)
    void aTaskFailingOnceLeavesExactlyTheAlertsDeadLettersAndLateEventsOfARunWithoutFailure(InjectedFailure failure,
            @TempDir Path dir, @InjectClusterClient RestClusterClient<?> flink) throws Exception {
        failure.reset();
        URI rest = URI.create(flink.getWebInterfaceURL() + "/");
        Topics t = Topics.of(failure.name().toLowerCase().replace('_', '-'));
        JobClient job = startFailingJob(t);

        // First part: read, detected and checkpointed, since alerts are committed only when a checkpoint completes.
        produce(t.input, parts.get(0));
        awaitJob(job, "a first alert committed", () -> !KAFKA.readAll(t.alerts).isEmpty());
        failure.arm();
        produce(t.input, parts.get(1));
        awaitJob(job, "the injected failure", () -> failure.timesFired() == 1);
        produce(t.input, parts.get(2));
        Outputs outputs = finish(job, t, dir);

        // The job itself reports the failure and the restart from a checkpoint (Flink's REST API, as the web UI shows it).
        JsonNode exceptions = get(rest, "jobs/" + job.getJobID() + "/exceptions").path("exceptionHistory").path("entries");
        assertThat(exceptions).hasSize(1);
        assertThat(exceptions.get(0).path("stacktrace").asText()).contains(failure.message());
        JsonNode checkpoints = get(rest, "jobs/" + job.getJobID() + "/checkpoints");
        assertThat(checkpoints.at("/counts/restored").asInt()).isEqualTo(1);
        assertThat(checkpoints.at("/latest/restored/id").asLong()).isPositive();
        assertThat(failure.timesFired()).isEqualTo(1);

        assertThat(outputs.alerts.keySet()).containsExactlyInAnyOrderElementsOf(withoutFailure.alerts.keySet());
        withoutFailure.alerts.forEach((id, updates) -> assertThat(outputs.alerts.get(id)).as("alert " + id)
                .containsExactlyElementsOf(updates));
        assertThat(outputs.deadLetters).containsExactlyInAnyOrderElementsOf(withoutFailure.deadLetters);
        assertThat(outputs.lateEvents).containsExactlyInAnyOrderElementsOf(withoutFailure.lateEvents);
    }

    /**
     * Ends a run the same way whether it failed or not. A malformed record at the end of each
     * partition shows, once all of them are dead letters committed, that every record before them
     * was read and checkpointed. Then a matching event from the start of the attack comes, late,
     * and must reach the late topic; then the job stops with a drained savepoint, which closes every
     * open alert and commits the last transactions. Returns what the run committed.
     */
    private static Outputs finish(JobClient job, Topics t, Path dir) throws Exception {
        List<Line> ends = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ends.add(new Line(p, ("end of partition " + p).getBytes(StandardCharsets.UTF_8)));
        }
        produce(t.input, ends);
        awaitJob(job, "every input record read and checkpointed",
                () -> KAFKA.readAll(t.deadLetters).size() == MALFORMED.size() + PARTITIONS);
        produce(t.input, List.of(new Line(0, render(LATE, SourceFormat.FLAT_JSON))));
        awaitJob(job, "the late event", () -> !KAFKA.readAll(t.late).isEmpty());
        job.stopWithSavepoint(true, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);

        Map<String, List<String>> alerts = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(t.alerts)) {
            alerts.computeIfAbsent(text(r.key()), k -> new ArrayList<>()).add(text(r.value()).replace(t.input, INPUT));
        }
        return new Outputs(alerts, wholeRecords(t.deadLetters, t.input), wholeRecords(t.late, t.input));
    }

    /** The streaming job as {@code stream} builds it, with the failure points in place and restarts allowed. */
    private static JobClient startFailingJob(Topics t) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(2);
        DetectionSettings settings = DetectionSettings.defaults().emitOnOpen(true);
        KafkaSysmonSource source = new KafkaSysmonSource(KAFKA.bootstrapServers(), List.of(t.input), null,
                "test-" + t.id, StartingOffsets.parse("earliest"), new Properties());
        KafkaOutputs outputs = new KafkaOutputs(KAFKA.bootstrapServers(), new Properties(), DeliveryGuarantee.EXACTLY_ONCE,
                "test-" + t.id, Duration.ofMinutes(15));

        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env,
                new HookedSource<>(source.build(settings.maxLineBytes(), settings.idleness(), CandidateFilter.of(settings.rules())),
                        InjectedFailure.SOURCE_READER::failHereIfArmed), settings);
        streams.alerts().map(new FailingOnAlert()).name("Fail on an alert").uid("fail-on-an-alert")
                .sinkTo(new FailingSink<>(outputs.alerts(t.alerts))).name("Kafka alerts " + t.alerts).uid("kafka-alerts");
        streams.deadLetters().sinkTo(outputs.deadLetters(t.deadLetters))
                .name("Kafka dead letters " + t.deadLetters).uid("kafka-dead-letters");
        streams.lateEvents().sinkTo(outputs.lateEvents(t.late)).name("Kafka late events " + t.late).uid("kafka-late-events");
        return env.executeAsync(StreamCommand.JOB_NAME);
    }

    /** Passes alerts on, failing at {@link InjectedFailure#ALERT_OPERATOR} when armed. */
    private static final class FailingOnAlert implements MapFunction<AlertDocument, AlertDocument> {
        private static final long serialVersionUID = 1L;

        @Override
        public AlertDocument map(AlertDocument alert) {
            InjectedFailure.ALERT_OPERATOR.failHereIfArmed();
            return alert;
        }
    }

    private static JsonNode get(URI rest, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls until the condition holds; fails at once if the job ends, or at the deadline. */
    private static void awaitJob(JobClient job, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.holds()) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new AssertionError("the job ended (" + status + ") before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Waited " + DEADLINE + " for " + what);
            }
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }

    // ---- Input: real-looking background of a 20-host fleet with attacks on seven hosts among it.

    private static final List<String> MALFORMED = List.of(
            "{\"winlog\": {\"event_id\": 22, ",
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>",
            "[1, 2, 3]",
            "not a Sysmon event at all");

    /**
     * Background events over three and a half hours of event time, the Qakbot-like scenario and a
     * campaign on four more hosts, merged in time order and dealt to the partitions in turn, with
     * malformed records spread among them; cut in three parts of equal size.
     */
    private static List<List<Line>> input() {
        record Timed(long time, byte[] value) {}
        List<Timed> timed = new ArrayList<>();
        BackgroundGenerator background = new BackgroundGenerator(6, 20, Scenarios.T0.minus(Duration.ofMinutes(10)), 0.25);
        SourceFormat[] formats = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};
        Map<String, String> extra = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            SysmonEvent e = background.next(extra);
            timed.add(new Timed(e.eventTime, SysmonLineWriter.render(e, extra, formats[i % 3]).getBytes(StandardCharsets.UTF_8)));
        }
        List<SysmonEvent> attacks = new ArrayList<>(Scenarios.qakbotLike().events());
        for (int k = 1; k <= 4; k++) {
            attacks.addAll(campaign(k));
        }
        for (int i = 0; i < attacks.size(); i++) {
            timed.add(new Timed(attacks.get(i).eventTime, render(attacks.get(i), formats[i % 3])));
        }
        timed.sort(Comparator.comparingLong(Timed::time));

        List<Line> lines = new ArrayList<>();
        int every = timed.size() / (MALFORMED.size() + 1);
        for (int i = 0; i < timed.size(); i++) {
            lines.add(new Line(i % PARTITIONS, timed.get(i).value()));
            if (i % every == every / 2 && i / every < MALFORMED.size()) {
                lines.add(new Line(i % PARTITIONS, MALFORMED.get(i / every).getBytes(StandardCharsets.UTF_8)));
            }
        }
        int third = lines.size() / 3;
        return List.of(lines.subList(0, third), lines.subList(third, 2 * third), lines.subList(2 * third, lines.size()));
    }

    /**
     * An injected wermgr.exe on campaign host k: creates a pipe, connects to it 40 times over 40
     * minutes (one alert of 40 events), looks up api.ipify.org three times and checkip.amazonaws.com
     * once in between (sequences), and connects twice more after the suppression window (a second alert).
     */
    private static List<SysmonEvent> campaign(int k) {
        String host = campaignHost(k);
        String guid = campaignGuid(k);
        String pid = Integer.toString(4000 + k);
        Instant start = Scenarios.T0.plus(Duration.ofMinutes(5L * k));
        String pipe = "\\pipe\\campaign-" + k;
        List<SysmonEvent> events = new ArrayList<>();
        events.add(Scenarios.pipe(host, guid, pid, start, 17, pipe));
        for (int i = 1; i <= 40; i++) {
            events.add(Scenarios.pipe(host, guid, pid, start.plus(Duration.ofMinutes(i)), 18, pipe));
        }
        for (int minutes : List.of(10, 20, 30)) {
            events.add(Scenarios.dns(host, guid, pid, start.plus(Duration.ofMinutes(minutes)).plusSeconds(20), "api.ipify.org"));
        }
        events.add(Scenarios.dns(host, guid, pid, start.plus(Duration.ofMinutes(15)).plusSeconds(20), "checkip.amazonaws.com"));
        events.add(Scenarios.pipe(host, guid, pid, start.plus(Duration.ofMinutes(75)), 18, pipe));
        events.add(Scenarios.pipe(host, guid, pid, start.plus(Duration.ofMinutes(80)), 18, pipe));
        return events;
    }

    private static String campaignHost(int k) {
        return "WS-ENG-0" + k + ".corp.example.com";
    }

    private static String campaignGuid(int k) {
        return "{6B1E2F30-4A5C-65F0-0A1B-00000000C00" + k + "}";
    }

    private static byte[] render(SysmonEvent e, SourceFormat format) {
        return SysmonLineWriter.render(e, Map.of(), format).getBytes(StandardCharsets.UTF_8);
    }

    // ---- Kafka

    private static void produce(String topic, List<Line> lines) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Line l : lines) {
                sent.add(producer.send(new ProducerRecord<>(topic, l.partition(), null, l.value())));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Each record as its headers and value, the input topic's name replaced. */
    private static List<String> wholeRecords(String topic, String input) {
        List<String> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(topic)) {
            Map<String, String> headers = new TreeMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), text(h.value()));
            }
            records.add((headers + " " + text(r.value())).replace(input, INPUT));
        }
        return records;
    }

    private static Expected asExpected(String alert) {
        JsonNode a;
        try {
            a = JSON.readTree(alert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Expected(a.at("/rule/id").asText(), a.at("/host/name").asText(), a.at("/process/entity_id").asText(),
                a.at("/event/count").asLong());
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
