package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
    void aRetractionIsADeleteByIdWithoutItsDocument() {
        AlertIndexRequest retraction = AlertIndexRequest.retraction("sysmon-cep-alerts-2024.01", "a",
                "{\"sysmon_cep\":{\"retracted\":true}}");
        AlertIndexRequest alert = new AlertIndexRequest("sysmon-cep-alerts-2024.01", "b", "{}");

        String body = new String(AlertIndexRequest.bulkBody(List.of(retraction, alert)), StandardCharsets.UTF_8);

        assertThat(body).isEqualTo("{\"delete\":{\"_index\":\"sysmon-cep-alerts-2024.01\",\"_id\":\"a\"}}\n"
                + "{\"index\":{\"_index\":\"sysmon-cep-alerts-2024.01\",\"_id\":\"b\"}}\n{}\n");
        assertThat(retraction.sizeInBytes() + alert.sizeInBytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(retraction.document()).isEqualTo("{\"sysmon_cep\":{\"retracted\":true}}");
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
    void aRetractionInABatchIsTheLastVersionOfItsAlertOrIsReplacedByALaterOne() {
        AlertIndexRequest a1 = new AlertIndexRequest("alerts", "a", "{\"v\":1}");
        AlertIndexRequest aRetracted = AlertIndexRequest.retraction("alerts", "a", "{\"v\":1}");
        AlertIndexRequest bRetracted = AlertIndexRequest.retraction("alerts", "b", "{\"v\":1}");
        AlertIndexRequest b2 = new AlertIndexRequest("alerts", "b", "{\"v\":2}");

        assertThat(AlertIndexRequest.latestPerAlert(List.of(a1, bRetracted, aRetracted, b2)))
                .containsExactly(aRetracted, b2);
    }

    @Test
    void bufferedAlertsSurviveACheckpoint() throws Exception {
        Deque<RequestEntryWrapper<AlertIndexRequest>> buffered = new ArrayDeque<>();
        for (AlertIndexRequest alert : List.of(new AlertIndexRequest("alerts", "a", "{\"message\":\"" + "x".repeat(70_000) + "\"}"),
                new AlertIndexRequest("alerts", null, "{}"), AlertIndexRequest.retraction("alerts", "r", "{\"r\":1}"),
                AlertIndexRequest.retraction("alerts", null, "{}"))) {
            buffered.add(new RequestEntryWrapper<>(alert, alert.sizeInBytes()));
        }
        AlertIndexRequestSerializer serializer = new AlertIndexRequestSerializer();

        BufferedRequestState<AlertIndexRequest> restored = serializer.deserialize(serializer.getVersion(),
                serializer.serialize(new BufferedRequestState<>(buffered)));

        assertThat(restored.getBufferedRequestEntries()).extracting(RequestEntryWrapper::getRequestEntry)
                .extracting(AlertIndexRequest::action, AlertIndexRequest::alertId)
                .containsExactly(tuple("index", "a"), tuple("index", null), tuple("delete", "r"), tuple("delete", null));
        AlertIndexRequest big = restored.getBufferedRequestEntries().get(0).getRequestEntry();
        assertThat(big.document()).hasSize(70_014);
        assertThat(restored.getBufferedRequestEntries().get(2).getRequestEntry().document()).isEqualTo("{\"r\":1}");
    }

    /** State a job wrote before retractions existed: the flags byte was a boolean for "an id follows". */
    @Test
    void alertsBufferedByTheSinkOfVersionOneRestore() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(-1);
        out.writeInt(2);
        for (String alertId : new String[] {"a", null}) {
            out.writeLong(40);
            writeString(out, "alerts");
            out.writeBoolean(alertId != null);
            if (alertId != null) {
                writeString(out, alertId);
            }
            writeString(out, "{}");
        }

        BufferedRequestState<AlertIndexRequest> restored = new AlertIndexRequestSerializer().deserialize(1, bytes.toByteArray());

        assertThat(restored.getBufferedRequestEntries()).extracting(RequestEntryWrapper::getRequestEntry)
                .extracting(AlertIndexRequest::action, AlertIndexRequest::alertId, AlertIndexRequest::document)
                .containsExactly(tuple("index", "a", "{}"), tuple("index", null, "{}"));
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
