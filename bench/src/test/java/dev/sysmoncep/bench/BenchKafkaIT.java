package dev.sysmoncep.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.TestFlink;
import dev.sysmoncep.kafka.KafkaTestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The bench with a real broker: the stream job's drain, a Kafka Streams app's drain of the same topic
 * and the job's alert delay are measured and reported (no timings judged).
 */
class BenchKafkaIT {
    private static final String KAFKA_STREAMS_LINE = "Kafka Streams app \\(2 threads, a Jackson tree or DOM per record, the "
            + "same rules, at-least-once\\) drained the same backlog: ([\\d,]+) records in [\\d.]+ s from its first read "
            + "\\([\\d.]+ s after its start\\), [\\d,]+ events/s; over its second half [\\d,]+ events/s; ([\\d,]+) alert records";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @Test
    void measuresTheStreamJobOnAKafkaBrokerToo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("--events", "5000", "--attacks-per-million", "2000", "--rate", "10", "-p", "1",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--kafka-rate", "300", "--kafka-duration", "5s",
                "--kafka-out-of-orderness", "1s");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .containsPattern("Kafka drain: exactly-once delivery, .* 4 partitions, parallelism 1")
                .containsPattern("topic filled first: 5,000 lines, [\\d,]+ bytes in [\\d.]+ s, [\\d,]+ lines/s")
                .containsPattern("job drained the backlog: [\\d,]+ records in [\\d.]+ s from its first read .*, "
                        + "[\\d,]+ events/s; over its second half [\\d,]+ events/s")
                .containsPattern("per second of CPU this JVM used over the second half: ([\\d,]+ events|too short a drain to tell)")
                .containsPattern(KAFKA_STREAMS_LINE)
                .containsPattern("job / Kafka Streams app: [\\d.]+x whole drain, [\\d.]+x second half")
                .containsPattern("Kafka: exactly-once delivery, .* 4 partitions, parallelism 1")
                .containsPattern("events written \\(aiming at 300/s\\): [\\d,]+ in \\d+ s, [\\d,]+ events/s")
                .containsPattern("alerts measured: \\d+; write-to-alert delay p50 [\\d.]+ s, p90 [\\d.]+ s, p99 [\\d.]+ s")
                .containsPattern("\\(from the broker's ack of the event; from the writer's send, .* p50 [\\d.]+ s, p99 [\\d.]+ s\\)")
                .containsPattern("writer: records queued in the producer avg \\d+ ms")
                .containsPattern("job: records written but not yet read, p50 [\\d,]+, max [\\d,]+")
                .containsPattern("(?m)^bench: replay \\d+ events/s");
        Matcher alerts = Pattern.compile("alerts: (\\d+) of (\\d+) expected arrived .*; late events 0").matcher(out.toString());
        assertThat(alerts.find()).as(out.toString()).isTrue();
        assertThat(alerts.group(1)).isEqualTo(alerts.group(2)).isNotEqualTo("0");
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("bench: replay ");
    }

    @Test
    void comparesTheJobWithAKafkaStreamsAppOnAFileOfRealLines(@TempDir Path dir) throws Exception {
        // The bundled real OTRF samples, three times over: real-shaped lines, with wermgr lookups that must not alert.
        List<String> real = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("../job/samples/real"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                real.addAll(Files.readAllLines(f));
            }
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.addAll(real);
        }
        Path input = Files.write(dir.resolve("real.jsonl"), lines);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("kafka", "--bootstrap-servers", KAFKA.bootstrapServers(), "--input", input.toString(),
                "--duration", "0s", "--parallelism", "1", "--out-of-orderness", "1s");

        assertThat(exit).as(err.toString()).isZero();
        // The samples' wermgr lookups are of no IP-check service: neither the job nor the app alerts.
        assertThat(out.toString()).containsPattern("topic filled first: " + String.format(Locale.ROOT, "%,d", lines.size()) + " lines")
                .contains("alerts: 0 alert ids arrived; late events 0")
                .containsPattern("job / Kafka Streams app: [\\d.]+x whole drain, [\\d.]+x second half");
        Matcher streams = Pattern.compile(KAFKA_STREAMS_LINE).matcher(out.toString());
        assertThat(streams.find()).as(out.toString()).isTrue();
        assertThat(streams.group(2)).isEqualTo("0");
    }
}
