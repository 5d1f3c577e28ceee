package dev.sysmoncep.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.HookedSource;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.ExpectedAlerts;
import dev.sysmoncep.generate.GeneratedFormat;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.generate.WermgrAttacks;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.read.kafka.KafkaSysmonSource;
import dev.sysmoncep.read.kafka.StartingOffsets;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.kafka.KafkaOutputs;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Idleness under a starved reader, against a real broker: a backlog on two partitions, read from
 * the earliest offsets by one source reader whose every record costs the task thread 2 ms (as on a
 * machine busy with other work), with an idleness of 300 ms. The reader hands on one partition's
 * fetch (up to 1 MiB, some 700 lines) at a time, so the other partition's records wait, unread, for
 * far longer than the idleness. A third partition stays empty and must go idle, or no alert would
 * ever leave. The job must raise exactly the alerts a replay of the same records raises, with the
 * same ids and counts, and send no event to the late output: the waiting partition's backlog is
 * never taken for idleness.
 */
class StarvedPartitionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final Duration IDLENESS = Duration.ofMillis(300);
    private static final long RECORD_COST_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int LINES = 4000;

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    @Test
    void aPartitionWaitingBehindAnotherIsNeverIdleAndTheJobRaisesExactlyTheReplaysAlerts() throws Exception {
        String in = "sysmon-starved";
        String alerts = "alerts-starved";
        String late = "late-starved";
        KAFKA.createTopic(in, 3, false);
        KAFKA.createTopic(alerts, 2, true);
        KAFKA.createTopic(late, 1, false);

        // Generated Sysmon lines with attacks, in event time order (within the generator's 300 ms),
        // dealt to partitions 0 and 1 in turn; then an ordinary event hours later on each of them,
        // which closes every window. All of it is written before the job starts: a backlog.
        BackgroundGenerator generator = new BackgroundGenerator(7, 40, Instant.parse("2024-03-11T00:00:00Z"), 10);
        WermgrAttacks attacks = generator.mixInAttacks(2500, LINES);
        ByteArrayOutputStream generated = new ByteArrayOutputStream();
        generator.writeLines(generated, LINES, GeneratedFormat.MIXED);
        List<byte[]> lines = new ArrayList<>();
        for (String line : generated.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(ExpectedAlerts.of(attacks.emitted(), RuleSet.bundled())).hasSizeGreaterThan(10);
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            partitions.add(i % 2);
        }
        for (int p = 0; p < 2; p++) {
            lines.add(clockLine(p));
            partitions.add(p);
        }
        produce(in, lines, partitions);

        JobClient job = startStarvedJob(in, alerts, late);
        Map<String, JsonNode> fromReplay = replay(lines);
        assertThat(fromReplay).isNotEmpty();
        Map<String, String> streamed;
        try (CommittedRecords committed = new CommittedRecords(KAFKA, alerts)) {
            committed.awaitUntil("the replay's alerts, each final", DEADLINE, job,
                    r -> r.latestByKey().keySet().equals(fromReplay.keySet())
                            && r.latestByKey().values().stream().allMatch(StreamJobs::isFinal),
                    r -> r.latestByKey().size() + " of " + fromReplay.size() + " alert ids, and "
                            + KAFKA.readAll(late).size() + " late events");
            streamed = committed.latestByKey();
        }
        // A drained stop commits every open transaction, the late output's too.
        job.stopWithSavepoint(true, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        JobExecutionResult result = job.getJobExecutionResult().get(60, TimeUnit.SECONDS);

        streamed.forEach((id, json) -> assertThat(StreamJobs.withoutPlace(StreamJobs.tree(json))).as(id)
                .isEqualTo(fromReplay.get(id)));
        assertThat(KAFKA.readAll(late)).isEmpty();
        assertThat(result.<Long>getAccumulatorResult(JobCounters.LATE_EVENTS)).isZero();
        assertThat(result.<Long>getAccumulatorResult(JobCounters.LINES_READ)).isEqualTo(lines.size());
    }

    /** The job as {@code stream} builds it at parallelism 1, its source reader slowed by 2 ms a record. */
    private static JobClient startStarvedJob(String in, String alerts, String late) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(500, CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(1);
        DetectionSettings settings = DetectionSettings.defaults().emitOnOpen(true)
                .outOfOrderness(Duration.ofSeconds(1)).idleness(IDLENESS);
        KafkaSysmonSource source = new KafkaSysmonSource(KAFKA.bootstrapServers(), List.of(in), null, "test-" + in,
                StartingOffsets.parse("earliest"), new Properties());
        KafkaOutputs outputs = new KafkaOutputs(KAFKA.bootstrapServers(), new Properties(), DeliveryGuarantee.EXACTLY_ONCE,
                "test-" + in, Duration.ofMinutes(15));
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env,
                new HookedSource<>(source.build(settings.maxLineBytes(), settings.idleness(), CandidateFilter.of(settings.rules())),
                        StarvedPartitionIT::takeTime), settings);
        streams.alerts().sinkTo(outputs.alerts(alerts)).name("Kafka alerts").uid("kafka-alerts");
        streams.lateEvents().sinkTo(outputs.lateEvents(late)).name("Kafka late events").uid("kafka-late-events");
        return env.executeAsync(StreamCommand.JOB_NAME);
    }

    /** Keeps the task thread busy for the cost of a record, as work on a busy machine would. */
    private static void takeTime() {
        long until = System.nanoTime() + RECORD_COST_NANOS;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** The batch replay of the same lines: its alerts by id, without the place of their first event. */
    private Map<String, JsonNode> replay(List<byte[]> lines) throws Exception {
        Path file = dir.resolve("same-lines.log");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            all.writeBytes(line);
            all.write('\n');
        }
        Files.write(file, all.toByteArray());
        Path replayed = dir.resolve("replayed.jsonl");
        ReplayCommand replay = new ReplayCommand();
        new CommandLine(replay).parseArgs("--input", file.toString(), "--output", replayed.toString(), "-p", "1");
        replay.run();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String l : Files.readAllLines(replayed)) {
            JsonNode alert = JSON.readTree(l);
            byId.put(alert.at("/event/id").asText(), StreamJobs.withoutPlace(alert));
        }
        return byId;
    }

    /** An ordinary DNS lookup by svchost.exe, a day after the generated events. */
    private static byte[] clockLine(int partition) {
        SysmonEvent tick = Scenarios.dns("CLOCK-" + partition, "{00000000-0000-0000-0000-00000000C10C}", "4",
                Instant.parse("2024-03-12T00:00:00Z"), "example.com");
        tick.image = "C:\\Windows\\System32\\svchost.exe";
        return SysmonLineWriter.render(tick, Map.of(), SourceFormat.FLAT_JSON).getBytes(StandardCharsets.UTF_8);
    }

    private static void produce(String topic, List<byte[]> lines, List<Integer> partitions) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, partitions.get(i), null, lines.get(i))));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
