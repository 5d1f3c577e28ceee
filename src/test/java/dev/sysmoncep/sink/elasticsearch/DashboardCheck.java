package dev.sysmoncep.sink.elasticsearch;

import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.DC_HOST;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.DNS_RULE_NAME;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.FIN_HOST;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.HR_HOST;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.PIPE_RULE_NAME;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.SEQUENCE_RULE_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a saved-objects file as Kibana or OpenSearch Dashboards would, turns each visualization's
 * aggregations and each saved search's query into the {@code _search} request they stand for, and
 * checks what that request finds in {@link SampleAlerts}. So a renamed field or a broken query in a
 * dashboard fails a test instead of showing an empty panel.
 */
final class DashboardCheck {

    /** Per visualization: bucket keys (outer|inner) and their alert counts. */
    private static final Map<String, Map<String, Long>> EXPECTED_BUCKETS = Map.of(
            "sysmon-cep-alerts-over-time", Map.of(
                    "2024-01-12|" + PIPE_RULE_NAME, 1L,
                    "2024-01-12|" + DNS_RULE_NAME, 1L,
                    "2024-01-12|" + SEQUENCE_RULE_NAME, 1L,
                    "2024-01-30|" + DNS_RULE_NAME, 1L,
                    "2024-02-03|" + PIPE_RULE_NAME, 1L,
                    "2024-02-03|" + DNS_RULE_NAME, 1L),
            "sysmon-cep-top-hosts", Map.of(FIN_HOST, 3L, HR_HOST, 2L, DC_HOST, 1L),
            "sysmon-cep-alerts-by-technique", Map.of("T1071", 3L, "T1590", 4L));

    /** Per saved search: the one alert it finds (its rule and host) and the columns it shows. */
    private record OnlyAlert(String ruleId, String host, List<String> columns) {}

    private static final Map<String, OnlyAlert> EXPECTED_SEARCHES = Map.of(
            "sysmon-cep-sequence-alerts", new OnlyAlert(SampleAlerts.SEQUENCE_RULE, FIN_HOST,
                    List.of("host.name", "process.entity_id", "process.pid", "file.name", "dns.question.name")),
            "sysmon-cep-late-alerts", new OnlyAlert(SampleAlerts.DNS_RULE, DC_HOST,
                    List.of("rule.name", "host.name", "process.entity_id", "sysmon_cep.lateness_ms",
                            "sysmon_cep.window_start")));

    private final Path file;
    private final NodeRest rest;
    private final Map<String, JsonNode> objects = new LinkedHashMap<>();

    DashboardCheck(Path file, NodeRest rest) throws Exception {
        this.file = file;
        this.rest = rest;
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                JsonNode object = NodeRest.JSON.readTree(line);
                objects.put(object.path("id").asText(), object);
            }
        }
    }

    void assertFindsSampleAlerts() throws Exception {
        JsonNode dataView = only("index-pattern");
        assertThat(dataView.path("attributes").path("title").asText()).isEqualTo("sysmon-cep-alerts-*");
        assertThat(dataView.path("attributes").path("timeFieldName").asText()).isEqualTo("@timestamp");
        String indices = dataView.path("attributes").path("title").asText();

        List<String> panels = new ArrayList<>();
        for (JsonNode object : objects.values()) {
            assertThat(object.path("references")).allSatisfy(reference ->
                    assertThat(objects).as(file + ": " + object.path("id") + " refers to " + reference)
                            .containsKey(reference.path("id").asText()));
            String id = object.path("id").asText();
            if (object.path("type").asText().equals("visualization")) {
                panels.add(id);
                assertThat(buckets(object, indices)).as(file + ": " + id).isEqualTo(EXPECTED_BUCKETS.get(id));
            } else if (object.path("type").asText().equals("search")) {
                panels.add(id);
                assertThat(EXPECTED_SEARCHES).as(file + ": saved searches").containsKey(id);
                assertFindsOnly(object, indices, EXPECTED_SEARCHES.get(id));
            }
        }
        List<String> expected = new ArrayList<>(EXPECTED_BUCKETS.keySet());
        expected.addAll(EXPECTED_SEARCHES.keySet());
        assertThat(panels).containsExactlyInAnyOrderElementsOf(expected);

        assertDashboardShows(only("dashboard"), panels);
    }

    /** Runs a visualization's aggregations and flattens the buckets to "outer|inner" keys. */
    private Map<String, Long> buckets(JsonNode visualization, String indices) throws Exception {
        JsonNode state = NodeRest.JSON.readTree(visualization.path("attributes").path("visState").asText());
        ObjectNode request = NodeRest.JSON.createObjectNode().put("size", 0);
        request.set("query", query(visualization));
        ObjectNode aggs = request.putObject("aggs");
        List<String> names = new ArrayList<>();
        for (JsonNode agg : state.path("aggs")) {
            String type = agg.path("type").asText();
            if (type.equals("count")) {
                continue;
            }
            JsonNode params = agg.path("params");
            ObjectNode bucket = aggs.putObject(agg.path("id").asText());
            names.add(agg.path("id").asText());
            if (type.equals("terms")) {
                assertThat(params.path("orderBy").asText()).isEqualTo("1");
                bucket.putObject("terms").put("field", params.path("field").asText())
                        .put("size", params.path("size").asInt())
                        .putObject("order").put("_count", params.path("order").asText());
            } else if (type.equals("date_histogram")) {
                bucket.putObject("date_histogram").put("field", params.path("field").asText())
                        .put("calendar_interval", calendarInterval(params.path("interval").asText()))
                        .put("min_doc_count", params.path("min_doc_count").asInt())
                        .put("format", "yyyy-MM-dd");
            } else {
                throw new AssertionError("The check knows no " + type + " aggregation");
            }
            aggs = bucket.putObject("aggs");
        }
        JsonNode response = rest.post("/" + indices + "/_search", request);
        Map<String, Long> counts = new LinkedHashMap<>();
        flatten(response.path("aggregations"), names, 0, "", counts);
        return counts;
    }

    private static void flatten(JsonNode level, List<String> names, int depth, String key, Map<String, Long> counts) {
        for (JsonNode bucket : level.path(names.get(depth)).path("buckets")) {
            String bucketKey = bucket.has("key_as_string") ? bucket.path("key_as_string").asText() : bucket.path("key").asText();
            String path = key.isEmpty() ? bucketKey : key + "|" + bucketKey;
            if (depth == names.size() - 1) {
                counts.put(path, bucket.path("doc_count").asLong());
            } else {
                flatten(bucket, names, depth + 1, path, counts);
            }
        }
    }

    /** Kibana's interval letters, as calendar intervals; "auto" depends on the screen and is not used. */
    private static String calendarInterval(String kibanaInterval) {
        switch (kibanaInterval) {
            case "h":
                return "1h";
            case "d":
                return "1d";
            case "w":
                return "1w";
            case "M":
                return "1M";
            default:
                throw new AssertionError("Use a fixed interval, not " + kibanaInterval);
        }
    }

    private void assertFindsOnly(JsonNode search, String indices, OnlyAlert expected) throws Exception {
        String id = search.path("id").asText();
        ObjectNode request = NodeRest.JSON.createObjectNode();
        request.set("query", query(search));
        JsonNode hits = rest.post("/" + indices + "/_search", request).path("hits").path("hits");
        assertThat(hits).as(file + ": " + id).hasSize(1);
        JsonNode alert = hits.get(0).path("_source");
        assertThat(alert.path("rule").path("id").asText()).as(file + ": " + id).isEqualTo(expected.ruleId());
        assertThat(alert.path("host").path("name").asText()).as(file + ": " + id).isEqualTo(expected.host());
        List<String> columns = new ArrayList<>();
        search.path("attributes").path("columns").forEach(column -> columns.add(column.asText()));
        assertThat(columns).as(file + ": " + id).containsExactlyElementsOf(expected.columns());
        for (String column : columns) {
            assertThat(field(alert, column).isMissingNode()).as(id + ": " + column).isFalse();
        }
    }

    private void assertDashboardShows(JsonNode dashboard, List<String> panelObjects) throws Exception {
        JsonNode panels = NodeRest.JSON.readTree(dashboard.path("attributes").path("panelsJSON").asText());
        Map<String, String> idByRefName = new LinkedHashMap<>();
        dashboard.path("references").forEach(ref -> idByRefName.put(ref.path("name").asText(), ref.path("id").asText()));
        List<String> shown = new ArrayList<>();
        panels.forEach(panel -> shown.add(idByRefName.get(panel.path("panelRefName").asText())));
        assertThat(shown).containsExactlyInAnyOrderElementsOf(panelObjects);
    }

    private static JsonNode field(JsonNode source, String dottedPath) {
        JsonNode value = source;
        for (String part : dottedPath.split("\\.")) {
            value = value.path(part);
        }
        return value;
    }

    /** The saved query as the search request's query: Lucene syntax, or an empty KQL bar. */
    private static JsonNode query(JsonNode savedObject) throws Exception {
        JsonNode source = NodeRest.JSON.readTree(
                savedObject.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
        assertThat(source.path("filter")).isEmpty();
        String text = source.path("query").path("query").asText();
        ObjectNode query = NodeRest.JSON.createObjectNode();
        if (text.isEmpty()) {
            query.putObject("match_all");
        } else {
            assertThat(source.path("query").path("language").asText()).isEqualTo("lucene");
            query.putObject("query_string").put("query", text);
        }
        return query;
    }

    private JsonNode only(String type) {
        List<JsonNode> ofType = objects.values().stream().filter(o -> o.path("type").asText().equals(type)).toList();
        assertThat(ofType).as(file + ": objects of type " + type).hasSize(1);
        return ofType.get(0);
    }
}
