package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios.Expected;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.KafkaTestBroker;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The job's counts are Flink metrics that the web UI and every metric reporter see: read here the
 * way the web UI does, through the REST API of the running cluster, while the stream job runs
 * over a known input, and compared with what that input must give.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobMetricsRestIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @Test
    void linesReadEventsParsedMatchedDeadLetteredLateAndAlertsPerRuleShowInTheRestApi() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        KAFKA.createTopic("metrics-in", 1, false);
        KAFKA.createTopic("metrics-alerts", 1, true);
        List<String> lines = new ArrayList<>();
        long matched = 0;
        for (SysmonEvent e : scenario.events()) {
            lines.add(SysmonLineWriter.render(e, Map.of(), SourceFormat.FLAT_JSON));
            matched += RuleSet.bundled().eventRules().stream().anyMatch(rule -> rule.matches(e)) ? 1 : 0;
        }
        lines.add("{\"winlog\": {\"event_id\": 22, ");
        lines.add("<Event><System><EventID>&xxe;</EventID></System></Event>");
        lines.add("{\"EventID\":4624,\"Channel\":\"Security\",\"UtcTime\":\"2024-03-12 09:14:05.125\"}");
        SysmonEvent clock = Scenarios.dns("CLOCK", "{00000000-0000-0000-0000-00000000C10C}", "4",
                Scenarios.T0.plus(Duration.ofHours(5)), "example.com");
        clock.image = "C:\\Windows\\System32\\svchost.exe";
        lines.add(SysmonLineWriter.render(clock, Map.of(), SourceFormat.XML));
        // Hours behind the clock event: matched, then late.
        String late = SysmonLineWriter.render(Scenarios.pipe("WS-FIN-07.corp.example.com",
                "{3CFDEE80-2F7D-605B-F50A-00000000AE01}", "7172", Scenarios.T0.plusSeconds(30), 18, "\\pipe\\{8C1A-qbot}"),
                Map.of(), SourceFormat.XML);
        Map<String, Long> expected = new HashMap<>();
        expected.put(JobCounters.LINES_READ, lines.size() + 1L);
        expected.put(JobCounters.EVENTS_PARSED, scenario.events().size() + 2L);
        expected.put(JobCounters.NOT_SYSMON, 1L);
        expected.put(JobCounters.DEAD_LETTERED, 2L);
        expected.put(JobCounters.EVENTS_MATCHED, matched + 1);
        expected.put(JobCounters.LATE_EVENTS, 1L);
        expected.put(JobCounters.ALERTS, (long) scenario.expected().size());
        for (Expected alert : scenario.expected()) {
            expected.merge(JobCounters.ALERTS_PREFIX + alert.ruleId(), 1L, Long::sum);
        }

        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", KAFKA.bootstrapServers(), "--topics", "metrics-in",
                "--alert-topic", "metrics-alerts", "--group-id", "metrics", "--transactional-id-prefix", "metrics",
                "--checkpoint-interval", "500ms", "--start-from", "earliest", "-p", "1");
        JobClient job = command.start(Map.of());
        var client = FLINK.getClientConfiguration();
        FlinkRest rest = new FlinkRest(URI.create("http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT)));
        List<String> names = List.copyOf(expected.keySet());
        AtomicReference<Map<String, Long>> shown = new AtomicReference<>(Map.of());
        try {
            produce(lines);
            // Flink's web UI fetches metrics from the TaskManagers every few seconds.
            Poll.until("the alerts of the input", DEADLINE, () -> {
                shown.set(rest.metrics(job.getJobID().toString(), names));
                return expected.get(JobCounters.ALERTS).equals(shown.get().get(JobCounters.ALERTS));
            }, () -> ": shown " + shown.get());
            produce(List.of(late));
            Poll.until("the metrics of the input", DEADLINE, () -> {
                shown.set(rest.metrics(job.getJobID().toString(), names));
                return shown.get().equals(expected);
            }, () -> ": shown " + shown.get() + ", expected " + expected);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        assertThat(shown.get()).isEqualTo(expected);
    }

    private static void produce(List<String> lines) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>("metrics-in", 0, null, line.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }
}
