package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bulk responses as Elasticsearch 7/8 and OpenSearch 2 send them with the sink's filter_path. */
class BulkResultTest {
    private static final List<AlertIndexRequest> SENT = List.of(
            new AlertIndexRequest("alerts", "a", "{}"),
            new AlertIndexRequest("alerts", "b", "{}"),
            new AlertIndexRequest("alerts", "c", "{}"),
            new AlertIndexRequest("alerts", "d", "{\"event\":{\"count\":\"abc\"}}"));

    @Test
    void aResponseWithoutErrorsNeedsNothingMore() throws IOException {
        BulkResult result = BulkResult.parse("{\"errors\":false}", SENT);

        assertThat(result.toRetry()).isEmpty();
        assertThat(result.rejected()).isEmpty();
    }

    @Test
    void retriesThrottledAndUnavailableItemsAndRejectsMappingErrors() throws IOException {
        String response = "{\"errors\":true,\"items\":["
                + "{\"index\":{\"status\":201}},"
                + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\","
                + "\"reason\":\"rejected execution of coordinating operation\"}}},"
                + "{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\","
                + "\"reason\":\"[alerts][0] primary shard is not active Timeout: [1m]\"}}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\","
                + "\"reason\":\"failed to parse field [event.count] of type [long] in document with id 'd'\","
                + "\"caused_by\":{\"type\":\"illegal_argument_exception\",\"reason\":\"For input string: \\\"abc\\\"\"}}}}"
                + "]}";

        BulkResult result = BulkResult.parse(response, SENT);

        assertThat(result.toRetry()).extracting(AlertIndexRequest::alertId).containsExactly("b", "c");
        assertThat(result.retryReason()).startsWith("503 unavailable_shards_exception");
        assertThat(result.rejected()).singleElement().satisfies(rejected -> {
            assertThat(rejected.alertId()).isEqualTo("d");
            assertThat(rejected.index()).isEqualTo("alerts");
            assertThat(rejected.status()).isEqualTo(400);
            assertThat(rejected.reason()).isEqualTo("mapper_parsing_exception: failed to parse field [event.count]"
                    + " of type [long] in document with id 'd'; caused by illegal_argument_exception:"
                    + " For input string: \"abc\"");
            assertThat(rejected.document()).isEqualTo("{\"event\":{\"count\":\"abc\"}}");
        });
    }

    @Test
    void aRetractionOfAnAlertThatIsNotThereIsDoneAndOtherwiseGoesAsAnIndexDoes() throws IOException {
        List<AlertIndexRequest> sent = List.of(
                AlertIndexRequest.retraction("alerts", "never-written", "{}"),
                AlertIndexRequest.retraction("alerts-1999.01", "no-index", "{}"),
                AlertIndexRequest.retraction("alerts", "throttled", "{}"),
                AlertIndexRequest.retraction("alerts", "blocked", "{\"sysmon_cep\":{\"retracted\":true}}"),
                new AlertIndexRequest("alerts-1999.01", "index-refused", "{}"));
        String response = "{\"errors\":true,\"items\":["
                + "{\"delete\":{\"status\":404}},"
                + "{\"delete\":{\"status\":404,\"error\":{\"type\":\"index_not_found_exception\","
                + "\"reason\":\"no such index [alerts-1999.01]\"}}},"
                + "{\"delete\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\","
                + "\"reason\":\"rejected execution of coordinating operation\"}}},"
                + "{\"delete\":{\"status\":403,\"error\":{\"type\":\"cluster_block_exception\","
                + "\"reason\":\"index [alerts] blocked by: [FORBIDDEN/8/index write (api)];\"}}},"
                + "{\"index\":{\"status\":404,\"error\":{\"type\":\"index_not_found_exception\","
                + "\"reason\":\"no such index [alerts-1999.01]\"}}}"
                + "]}";

        BulkResult result = BulkResult.parse(response, sent);

        assertThat(result.toRetry()).extracting(AlertIndexRequest::alertId).containsExactly("throttled");
        assertThat(result.rejected()).extracting(RejectedAlert::alertId, RejectedAlert::action, RejectedAlert::status)
                .containsExactly(tuple("blocked", "delete", 403), tuple("index-refused", "index", 404));
        assertThat(result.rejected().get(0).document()).isEqualTo("{\"sysmon_cep\":{\"retracted\":true}}");
    }

    @Test
    void aResponseThatDoesNotMatchTheRequestIsAnError() {
        assertThatThrownBy(() -> BulkResult.parse("{\"errors\":true,\"items\":[{\"index\":{\"status\":201}}]}", SENT))
                .hasMessageContaining("1 items for 4 alerts");
        assertThatThrownBy(() -> BulkResult.parse("{\"acknowledged\":true}", SENT))
                .hasMessageContaining("Not a bulk response");
    }

    @Test
    void onlyThrottlingAndServerErrorsAreTransient() {
        assertThat(BulkResult.isTransient(429)).isTrue();
        assertThat(BulkResult.isTransient(500)).isTrue();
        assertThat(BulkResult.isTransient(503)).isTrue();
        assertThat(BulkResult.isTransient(400)).isFalse();
        assertThat(BulkResult.isTransient(401)).isFalse();
        assertThat(BulkResult.isTransient(404)).isFalse();
    }
}
