package dev.sysmoncep.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine;

/**
 * What the tests of {@code sysmon-cep stream} against a real broker share: starting the job, writing
 * Sysmon lines to partitions, the clock events that close every window, reading the alerts topic as a
 * compacted topic keeps it, and the batch replay of the same lines to compare with.
 */
final class StreamJobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hours after the scenarios: more than the suppression and sequence windows plus any tolerance. */
    static final Instant CLOCK = Scenarios.T0.plus(Duration.ofHours(5));

    private StreamJobs() {}

    /** One record to write: its partition and value (null for a tombstone). */
    record Line(int partition, byte[] value) {
        static Line of(int partition, String text) {
            return new Line(partition, bytes(text));
        }
    }

    /** Starts {@code stream} detached on the test cluster, reading {@code in} from its start. */
    static JobClient stream(KafkaTestBroker kafka, String in, String alerts, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--topics", in,
                "--alert-topic", alerts, "--group-id", "test-" + in, "--transactional-id-prefix", "test-" + in,
                "--checkpoint-interval", "500ms", "--start-from", "earliest"));
        args.addAll(List.of(more));
        StreamCommand command = new StreamCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args.toArray(String[]::new));
        return command.start(Map.of());
    }

    /** Writes the lines, in order, each to its partition; returns where each went. */
    static List<RecordMetadata> produce(KafkaTestBroker kafka, String topic, List<Line> lines) throws Exception {
        List<RecordMetadata> written = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Line l : lines) {
                sent.add(producer.send(new ProducerRecord<>(topic, l.partition(), null, l.value())));
            }
            for (Future<RecordMetadata> f : sent) {
                written.add(f.get(30, TimeUnit.SECONDS));
            }
        }
        return written;
    }

    /** A clock event at {@link #CLOCK} on each written partition. */
    static List<Line> clockLines(int partitions) {
        return ticks(partitions, CLOCK);
    }

    /**
     * An ordinary DNS lookup by svchost.exe at {@code time} on each of the partitions: it matches no
     * rule, and moves every partition's watermark, so the job's, to {@code time} less the tolerance.
     */
    static List<Line> ticks(int partitions, Instant time) {
        List<Line> lines = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            SysmonEvent tick = Scenarios.dns("CLOCK-" + p, "{00000000-0000-0000-0000-00000000C10C}", "4", time, "example.com");
            tick.image = "C:\\Windows\\System32\\svchost.exe";
            lines.add(Line.of(p, SysmonLineWriter.render(tick, Map.of(), SourceFormat.XML)));
        }
        return lines;
    }

    /** The events as lines, the three formats in turn. */
    static List<String> render(List<SysmonEvent> events) {
        SourceFormat[] formats = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            lines.add(SysmonLineWriter.render(events.get(i), Map.of(), formats[i % formats.length]));
        }
        return lines;
    }

    /** Real Sysmon records (2019-2021) of the repository's samples; no rule matches any of them. */
    static List<String> realLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(Path.of("src/test/resources/real"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    /**
     * The batch replay of the lines (written to {@code name}.log in {@code dir}): its alerts by id,
     * without the place of their first event.
     */
    static Map<String, JsonNode> replay(Path dir, String name, List<Line> lines) throws Exception {
        Path file = dir.resolve(name + ".log");
        ByteArrayOutputStream sameLines = new ByteArrayOutputStream();
        for (Line l : lines) {
            if (l.value() != null) {
                sameLines.writeBytes(l.value());
                sameLines.write('\n');
            }
        }
        Files.write(file, sameLines.toByteArray());
        Path replayed = dir.resolve(name + "-alerts.jsonl");
        ReplayCommand replay = new ReplayCommand();
        new CommandLine(replay).parseArgs("--input", file.toString(), "--output", replayed.toString(), "-p", "2");
        replay.run();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String l : Files.readAllLines(replayed)) {
            JsonNode alert = JSON.readTree(l);
            byId.put(alert.at("/event/id").asText(), withoutPlace(alert));
        }
        return byId;
    }

    /** What a compacted topic keeps: the latest value per key, a tombstone (no value) removing the key. */
    static Map<String, String> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> latest = new HashMap<>();
        records.forEach(r -> {
            if (r.value() == null) {
                latest.remove(text(r.key()));
            } else {
                latest.put(text(r.key()), text(r.value()));
            }
        });
        return latest;
    }

    static List<Expected> asExpected(Collection<String> alerts) {
        return alerts.stream().map(StreamJobs::tree).map(a -> new Expected(a.at("/rule/id").asText(),
                a.at("/host/name").asText(), a.at("/process/entity_id").asText(), a.at("/event/count").asLong())).toList();
    }

    /** The alert without where its first event was read: a file line in a replay, a Kafka offset in a stream. */
    static JsonNode withoutPlace(JsonNode alert) {
        ObjectNode copy = alert.deepCopy();
        ObjectNode own = (ObjectNode) copy.path("sysmon_cep");
        own.remove("first_event_origin");
        return copy;
    }

    static boolean isFinal(String alert) {
        return tree(alert).at("/sysmon_cep/final").asBoolean();
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : text(h.value());
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
