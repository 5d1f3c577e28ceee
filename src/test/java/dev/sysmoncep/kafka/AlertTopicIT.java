package dev.sysmoncep.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.alert.Alert;
import dev.sysmoncep.alert.AlertEnricher;
import dev.sysmoncep.alert.AlertIds;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.sink.kafka.AlertRecordSerializer;
import dev.sysmoncep.sink.kafka.KafkaOutputs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The alert sink on a real broker, exactly once, as the streaming job writes: alerts enriched as
 * the job enriches them, keyed by alert id on the way to the sink. A retracted alert is a tombstone
 * in the same transactions, so that a compacted alert topic forgets its id.
 */
class AlertTopicIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "wks-fin-07.corp.example";
    private static final String GUID = "{5B4E1A2C-7F3D-6172-2A01-000000002A00}";

    @RegisterExtension
    @Order(1)
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @Test
    void aRetractedAlertBecomesATombstoneWithItsHeadersAndLeavesTheLatestView() throws Exception {
        String topic = "alerts-retracted";
        KAFKA.createTopic(topic, 2, true);
        Instant opened = Scenarios.T0.plus(Duration.ofMinutes(1));
        Alert first = alert(opened, false);
        Alert retracted = alert(opened, false);
        retracted.retracted = true;
        // The late event a minute and a half behind the watermark that moved the window's start.
        Alert replacement = alert(Scenarios.T0, false);
        replacement.late = true;
        replacement.latenessMillis = 90_000;
        Alert other = alert(Scenarios.T0.plus(Duration.ofHours(3)), true);

        write(topic, List.of(first, retracted, replacement, other));

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAllSettled(topic);
        assertThat(CommittedRecords.latestByKey(records)).containsOnlyKeys(replacement.id, other.id);
        assertThat(records).extracting(AlertTopicIT::key, r -> r.value() == null)
                .containsExactlyInAnyOrder(tuple(first.id, false), tuple(first.id, true), tuple(replacement.id, false),
                        tuple(other.id, false));
        ConsumerRecord<byte[], byte[]> tombstone = records.stream().filter(r -> r.value() == null).findFirst().orElseThrow();
        assertThat(header(tombstone, AlertRecordSerializer.RETRACTED_HEADER)).isEqualTo("true");
        assertThat(header(tombstone, AlertRecordSerializer.RULE_ID_HEADER)).isEqualTo(Scenarios.PIPE_RULE);
        assertThat(header(tombstone, AlertRecordSerializer.FINAL_HEADER)).isEqualTo("false");
        assertThat(records.stream().filter(r -> r.value() != null))
                .allSatisfy(r -> assertThat(r.headers().lastHeader(AlertRecordSerializer.RETRACTED_HEADER)).isNull());

        JsonNode late = JSON.readTree(CommittedRecords.latestByKey(records).get(replacement.id)).path("sysmon_cep");
        assertThat(late.path("late")).isEqualTo(BooleanNode.TRUE);
        assertThat(late.path("lateness_ms").asLong()).isEqualTo(90_000);
        assertThat(late.has("retracted")).isFalse();
        JsonNode onTime = JSON.readTree(CommittedRecords.latestByKey(records).get(other.id)).path("sysmon_cep");
        assertThat(onTime.path("late")).isEqualTo(BooleanNode.FALSE);
        assertThat(onTime.has("lateness_ms")).isFalse();
    }

    @Test
    void aRetractionOfAnIdNeverWrittenIsATombstoneAndARaiseAfterARetractionIsTheLatest() throws Exception {
        String topic = "alerts-never-written";
        KAFKA.createTopic(topic, 2, true);
        Alert neverWritten = alert(Scenarios.T0, false);
        neverWritten.retracted = true;
        Alert raised = alert(Scenarios.T0.plus(Duration.ofHours(2)), false);
        Alert retracted = alert(Scenarios.T0.plus(Duration.ofHours(2)), false);
        retracted.retracted = true;
        Alert raisedAgain = alert(Scenarios.T0.plus(Duration.ofHours(2)), true);
        raisedAgain.count = 2;

        write(topic, List.of(neverWritten, raised, retracted, raisedAgain));

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAllSettled(topic);
        assertThat(records).filteredOn(r -> key(r).equals(neverWritten.id)).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(header(r, AlertRecordSerializer.RETRACTED_HEADER)).isEqualTo("true");
        });
        Map<String, String> latest = CommittedRecords.latestByKey(records);
        assertThat(latest).containsOnlyKeys(raised.id);
        assertThat(JSON.readTree(latest.get(raised.id)).at("/event/count").asLong()).isEqualTo(2);
    }

    /**
     * Through the job's alert sink, exactly once: the job's last checkpoint commits the records, and
     * they are readable once the commit's markers reach the partitions ({@link KafkaTestBroker#readAllSettled}).
     */
    private static void write(String topic, List<Alert> alerts) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200, CheckpointingMode.EXACTLY_ONCE);
        KafkaOutputs outputs = new KafkaOutputs(KAFKA.bootstrapServers(), new Properties(),
                DeliveryGuarantee.EXACTLY_ONCE, "test-" + topic, Duration.ofMinutes(5));
        env.fromData(alerts)
                .keyBy(alert -> alert.id)
                .map(new AlertEnricher(RuleSet.bundled()))
                .sinkTo(outputs.alerts(topic));
        env.execute("write " + alerts.size() + " alerts to " + topic);
    }

    /** A pipe alert of the one process, opened at {@code windowStart}. */
    private static Alert alert(Instant windowStart, boolean isFinal) {
        Alert alert = new Alert();
        alert.ruleId = Scenarios.PIPE_RULE;
        alert.id = AlertIds.of(alert.ruleId, HOST + '|' + GUID, windowStart.toEpochMilli());
        alert.windowStart = windowStart.toEpochMilli();
        alert.firstTime = alert.windowStart;
        alert.lastTime = alert.windowStart;
        alert.count = 1;
        alert.event = Scenarios.pipe(HOST, GUID, "6412", windowStart, 17, "\\TrkPipe_4411");
        alert.pipeNames.add("\\TrkPipe_4411");
        alert.isFinal = isFinal;
        alert.emitted = true;
        return alert;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
