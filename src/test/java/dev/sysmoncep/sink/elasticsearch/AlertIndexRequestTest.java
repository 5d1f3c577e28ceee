package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

class AlertIndexRequestTest {

    @Test
    void becomesAnIndexActionByIdInTheBulkBody() {
        AlertIndexRequest alert = new AlertIndexRequest("sysmon-cep-alerts-2024.01", "id \"1\"", "{\"message\":\"ä\"}");

        String body = new String(AlertIndexRequest.bulkBody(List.of(alert)), StandardCharsets.UTF_8);

        assertThat(body).isEqualTo("{\"index\":{\"_index\":\"sysmon-cep-alerts-2024.01\",\"_id\":\"id \\\"1\\\"\"}}\n"
                + "{\"message\":\"ä\"}\n");
        assertThat(alert.sizeInBytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aPrettyPrintedDocumentStaysOnOneLine() {
        AlertIndexRequest alert = new AlertIndexRequest("alerts", "1", "{\r\n  \"a\": 1\n}");

        assertThat(alert.document()).isEqualTo("{    \"a\": 1 }");
        assertThat(new String(AlertIndexRequest.bulkBody(List.of(alert)), StandardCharsets.UTF_8)).hasLineCount(2);
    }

    @Test
    void onlyTheLastVersionOfAnAlertInABatchIsSent() {
        AlertIndexRequest a1 = new AlertIndexRequest("alerts", "a", "{\"v\":1}");
        AlertIndexRequest b1 = new AlertIndexRequest("alerts", "b", "{\"v\":1}");
        AlertIndexRequest a2 = new AlertIndexRequest("alerts", "a", "{\"v\":2}");
        AlertIndexRequest aElsewhere = new AlertIndexRequest("other", "a", "{\"v\":1}");

        assertThat(AlertIndexRequest.latestPerAlert(List.of(a1, b1, aElsewhere, a2))).containsExactly(b1, aElsewhere, a2);
    }

    @Test
    void bufferedAlertsSurviveACheckpoint() throws Exception {
        Deque<RequestEntryWrapper<AlertIndexRequest>> buffered = new ArrayDeque<>();
        for (AlertIndexRequest alert : List.of(new AlertIndexRequest("alerts", "a", "{\"message\":\"" + "x".repeat(70_000) + "\"}"),
                new AlertIndexRequest("alerts", null, "{}"))) {
            buffered.add(new RequestEntryWrapper<>(alert, alert.sizeInBytes()));
        }
        AlertIndexRequestSerializer serializer = new AlertIndexRequestSerializer();

        BufferedRequestState<AlertIndexRequest> restored = serializer.deserialize(serializer.getVersion(),
                serializer.serialize(new BufferedRequestState<>(buffered)));

        assertThat(restored.getBufferedRequestEntries()).hasSize(2);
        AlertIndexRequest big = restored.getBufferedRequestEntries().get(0).getRequestEntry();
        assertThat(big.alertId()).isEqualTo("a");
        assertThat(big.document()).hasSize(70_014);
        assertThat(restored.getBufferedRequestEntries().get(1).getRequestEntry().alertId()).isNull();
    }
}
