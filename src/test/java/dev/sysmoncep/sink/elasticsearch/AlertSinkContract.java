package dev.sysmoncep.sink.elasticsearch;

import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.DC_GUID;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.DC_HOST;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.JAN_12;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.JAN_30;
import static dev.sysmoncep.sink.elasticsearch.SampleAlerts.retracted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.records.SourceFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * What the sink must do against any supported cluster, run on a real node by each subclass: alerts
 * arrive once per id and keep the template's mappings, updates replace, replays do not add, and
 * throttling, an unavailable node or shard, bad documents and security do not lose or duplicate
 * an alert. Each test writes through a real Flink job on a MiniCluster into indices of its own.
 */
abstract class AlertSinkContract {
    @AfterEach
    void cancelJobsLeftRunning(@InjectClusterClient ClusterClient<?> flink) throws Exception {
        TestFlink.cancelJobsLeftRunning(flink);
    }


    /** The node this class runs against, from the subclass's {@code @RegisterExtension} field. */
    abstract SearchNode node();

    /** The metrics of the jobs this class runs, from the subclass's MiniCluster. */
    abstract InMemoryReporter metrics();

    static InMemoryReporter newMetrics() {
        return InMemoryReporter.createWithRetainedMetrics();
    }

    static MiniClusterExtension flinkWith(InMemoryReporter metrics) {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(metrics.addToConfiguration(configuration))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    private String prefix;

    @BeforeEach
    void ownIndices(TestInfo test) throws Exception {
        prefix = "it-" + test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT)
                + test.getDisplayName().replaceAll("[^0-9]", "");
        node().rest().deleteIndices(prefix + "*");
    }

    /** A sink into this test's indices, quick to flush and to retry. */
    ElasticsearchAlertSink.Builder sink() {
        return ElasticsearchAlertSink.builder()
                .url(node().url().toString())
                .index(prefix + "-{yyyy.MM}")
                .installTemplate(true)
                .maxBatchSize(4)
                .maxBufferedRequests(100)
                .maxTimeInBuffer(Duration.ofMillis(100))
                .initialBackoff(Duration.ofMillis(20))
                .maxBackoff(Duration.ofMillis(200))
                .maxRetries(50);
    }

    @Test
    void writesEachAlertOnceIntoTheIndexOfItsMonth() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();

        write(sink().build(), alerts);

        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        for (AlertDocument alert : alerts) {
            JsonNode hit = stored.get(alert.id);
            assertThat(hit.path("_index").asText()).isEqualTo(
                    prefix + (alert.timestamp < SampleAlerts.FEB_03.toEpochMilli() ? "-2024.01" : "-2024.02"));
            assertThat(hit.path("_source")).isEqualTo(NodeRest.JSON.readTree(alert.json));
            assertThat(hit.path("_version").asLong()).isEqualTo(1);
        }
    }

    @Test
    void mapsEveryAlertFieldAsTheTemplateSays() throws Exception {
        ObjectNode withUnknownFields = (ObjectNode) NodeRest.JSON.readTree(SampleAlerts.all().get(0).json);
        // Unknown strings become keywords, also those that look like dates or numbers.
        withUnknownFields.withObject("sysmon_cep").put("analyst_note", "2024-01-12T10:00:00Z").put("ticket", "4711");
        AlertDocument late = SampleAlerts.all().get(5);
        write(sink().build(), List.of(new AlertDocument("with-unknown-fields", SampleAlerts.PIPE_RULE,
                JAN_12.toEpochMilli(), true, NodeRest.JSON.writeValueAsString(withUnknownFields)), late));

        JsonNode mapping = node().rest().get("/" + prefix + "-2024.01/_mapping")
                .path(prefix + "-2024.01").path("mappings");
        JsonNode templated = IndexTemplate.load().path("template").path("mappings").path("properties");
        Map<String, JsonNode> expected = leaves(templated, "");
        assertThat(expected).hasSizeGreaterThan(50);
        expected.forEach((field, declared) -> {
            JsonNode actual = at(mapping.path("properties"), field);
            assertThat(actual.path("type").asText()).as(field).isEqualTo(declared.path("type").asText());
            if (declared.has("ignore_above")) {
                assertThat(actual.path("ignore_above").asInt()).as(field).isEqualTo(1024);
            }
        });
        assertThat(at(mapping.path("properties"), "@timestamp").path("type").asText()).isEqualTo("date");
        assertThat(at(mapping.path("properties"), "event.count").path("type").asText()).isEqualTo("long");
        assertThat(at(mapping.path("properties"), "message").path("type").asText()).isEqualTo("text");
        assertThat(at(mapping.path("properties"), "sysmon_cep.analyst_note").path("type").asText()).isEqualTo("keyword");
        assertThat(at(mapping.path("properties"), "sysmon_cep.ticket").path("type").asText()).isEqualTo("keyword");
        for (String flag : List.of("sysmon_cep.final", "sysmon_cep.late", "sysmon_cep.retracted")) {
            assertThat(at(mapping.path("properties"), flag).path("type").asText()).as(flag).isEqualTo("boolean");
        }
        assertThat(at(mapping.path("properties"), "sysmon_cep.lateness_ms").path("type").asText()).isEqualTo("long");

        // The late alert is found as a dashboard looks for late alerts, and by how late it was.
        assertThat(idsFound(prefix + "-*", Map.of("bool", Map.of("filter", List.of(
                Map.of("term", Map.of("sysmon_cep.late", true)),
                Map.of("range", Map.of("sysmon_cep.lateness_ms", Map.of("gte", SampleAlerts.DC_LATENESS_MILLIS))))))))
                .containsExactly(late.id);
    }

    @Test
    void replayingTheSameAlertsLeavesTheCountUnchanged() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();

        write(sink().build(), alerts);
        write(sink().build(), alerts);

        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        assertThat(count(prefix + "-*")).isEqualTo(alerts.size());
    }

    @Test
    void anUpdatedAlertReplacesItsDocument() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        AlertDocument first = alerts.get(0);
        AlertDocument other = alerts.get(3);
        write(sink().build(), alerts);

        // Two updates of one alert in one job, and an update of another: the last version wins.
        write(sink().build(), List.of(SampleAlerts.updated(first, 7), SampleAlerts.updated(other, 4),
                SampleAlerts.updated(first, 8)));

        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored).hasSize(alerts.size());
        assertThat(stored.get(first.id).path("_source").path("event").path("count").asInt()).isEqualTo(8);
        assertThat(stored.get(other.id).path("_source").path("event").path("count").asInt()).isEqualTo(4);
        assertThat(stored.get(alerts.get(1).id).path("_source").path("event").path("count").asInt()).isEqualTo(1);
    }

    @Test
    void aRetractedAlertIsDeletedFromTheIndexOfItsMonthAlsoWhenTheNodeTurnsTheFirstTriesAway(@TempDir Path dir)
            throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        write(sink().build(), alerts);
        AlertDocument january = alerts.get(0);
        AlertDocument february = alerts.get(3);
        // Retractions of ids never written: in a month that has an index, and in one that has none.
        AlertDocument notThere = SampleAlerts.pipe(DC_HOST, DC_GUID, 2232, "\\spoolss", JAN_30.plusSeconds(60), 1);
        AlertDocument noIndex = SampleAlerts.pipe(DC_HOST, DC_GUID, 2232, "\\spoolss",
                Instant.parse("2023-06-01T00:00:00Z"), 1);
        Path deadLetters = dir.resolve("rejected.jsonl");
        JobID job;
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).failingFirstBulkRequests(2, 429).open()) {

            job = write(sink().url(proxy.url()).deadLetterFile(deadLetters).build(), List.of(
                    retracted(january), retracted(notThere), retracted(february), retracted(noIndex)));

            assertThat(proxy.bulkRequestsFailed()).isEqualTo(2);
        }
        List<AlertDocument> kept = new ArrayList<>(alerts);
        kept.removeAll(List.of(january, february));
        assertThat(documents(prefix + "-*").keySet()).containsExactlyInAnyOrderElementsOf(ids(kept));
        assertThat(counter(job, "alertsDeadLettered")).isZero();
        assertThat(counter(job, "alertsRetried")).isZero();
        assertThat(deadLetters).doesNotExist();
        // A delete creates no index: a retraction leaves no empty month behind.
        assertThat(node().rest().get("/" + prefix + "-*/_mapping").fieldNames()).toIterable()
                .containsExactlyInAnyOrder(prefix + "-2024.01", prefix + "-2024.02");
    }

    @Test
    void whatStaysOfAnAlertIsWhatItsLastVersionOrRetractionInTheJobSays() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        AlertDocument gone = alerts.get(0);
        AlertDocument back = alerts.get(1);
        AlertDocument goneLater = alerts.get(3);

        // Batches of four: versions of one alert come in one bulk request and across two.
        write(sink().build(), List.of(gone, back, retracted(gone), goneLater, retracted(back),
                SampleAlerts.updated(back, 5), SampleAlerts.updated(goneLater, 2), retracted(goneLater)));

        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored.keySet()).containsExactly(back.id);
        assertThat(stored.get(back.id).path("_source").path("event").path("count").asInt()).isEqualTo(5);
    }

    @Test
    void deadLettersARetractionTheIndexRefusesAndDeletesTheRest(@TempDir Path dir) throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        write(sink().build(), alerts);
        node().rest().put("/" + prefix + "-2024.02/_settings", Map.of("index.blocks.write", true));
        Path deadLetters = dir.resolve("rejected.jsonl");
        AlertDocument refused = retracted(alerts.get(3));

        JobID job = write(sink().deadLetterFile(deadLetters).build(), List.of(retracted(alerts.get(0)), refused));

        List<String> lines = Files.readAllLines(deadLetters);
        assertThat(lines).hasSize(1);
        JsonNode entry = NodeRest.JSON.readTree(lines.get(0));
        assertThat(entry.path("alert_id").asText()).isEqualTo(refused.id);
        assertThat(entry.path("action").asText()).isEqualTo("delete");
        assertThat(entry.path("index").asText()).isEqualTo(prefix + "-2024.02");
        assertThat(entry.path("status").asInt()).isEqualTo(403);
        assertThat(entry.path("reason").asText()).contains("cluster_block_exception");
        assertThat(entry.path("document").asText()).isEqualTo(refused.json);
        assertThat(counter(job, "alertsDeadLettered")).isEqualTo(1);
        assertThat(documents(prefix + "-*").keySet()).containsExactlyInAnyOrderElementsOf(ids(alerts.subList(1, 6)));
    }

    @ParameterizedTest(name = "[{index}] HTTP {0}")
    @ValueSource(ints = {429, 503})
    void retriesBulkRequestsThatAnOverloadedNodeTurnsAway(int status) throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).failingFirstBulkRequests(3, status).open()) {

            write(sink().url(proxy.url()).build(), alerts);

            assertThat(proxy.bulkRequestsFailed()).isEqualTo(3);
        }
        assertWrittenExactlyOnce(alerts);
    }

    /** Down while the writers put the template, or, without that, when they send their first bulk request. */
    @ParameterizedTest(name = "[{index}] template installed by the sink: {0}")
    @ValueSource(booleans = {true, false})
    void waitsForANodeThatIsDownAtStart(boolean installTemplate) throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url())) {
            JobClient job = startWriting(sink().url(proxy.url()).installTemplate(installTemplate).build(), alerts);

            awaitCounter(job.getJobID(), "requestsRetried", 3);
            proxy.open();

            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        }
        assertWrittenExactlyOnce(alerts);
    }

    @Test
    void retriesAlertsWhosePrimaryShardIsNotYetAssigned() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        String index = prefix + "-all";
        // An index whose only shard may live on no node: each item waits bulkTimeout, then gets 503.
        node().rest().put("/" + index + "?wait_for_active_shards=0", Map.of("settings", Map.of(
                "index.number_of_replicas", 0, "index.routing.allocation.require._name", "no-such-node")));

        JobClient job = startWriting(sink().index(index).bulkTimeout(Duration.ofMillis(200)).build(), alerts);
        awaitCounter(job.getJobID(), "alertsRetried", 1);
        node().rest().put("/" + index + "/_settings",
                NodeRest.JSON.createObjectNode().putNull("index.routing.allocation.require._name"));

        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        Map<String, JsonNode> stored = documents(index);
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        assertThat(stored.values()).allSatisfy(hit -> assertThat(hit.path("_version").asLong()).isEqualTo(1));
    }

    @Test
    void deadLettersAlertsTheIndexCannotTakeAndWritesTheRest(@TempDir Path dir) throws Exception {
        List<AlertDocument> good = SampleAlerts.all();
        ObjectNode badCount = (ObjectNode) NodeRest.JSON.readTree(good.get(0).json);
        badCount.withObject("event").put("count", "abc");
        AlertDocument mappingError = new AlertDocument("bad-count", SampleAlerts.PIPE_RULE, JAN_12.toEpochMilli(),
                true, NodeRest.JSON.writeValueAsString(badCount));
        AlertDocument withoutId = new AlertDocument(null, SampleAlerts.DNS_RULE, JAN_12.toEpochMilli(), true,
                good.get(1).json);
        List<AlertDocument> alerts = new ArrayList<>(good);
        alerts.add(2, mappingError);
        alerts.add(withoutId);
        Path deadLetters = dir.resolve("rejected/alerts.jsonl");

        JobID job = write(sink().deadLetterFile(deadLetters).build(), alerts);

        assertThat(documents(prefix + "-*").keySet()).containsExactlyInAnyOrderElementsOf(ids(good));
        Map<String, JsonNode> rejected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(deadLetters)) {
            JsonNode entry = NodeRest.JSON.readTree(line);
            rejected.put(entry.path("alert_id").asText("none"), entry);
        }
        assertThat(rejected.keySet()).containsExactlyInAnyOrder("bad-count", "none");
        JsonNode badOne = rejected.get("bad-count");
        assertThat(badOne.path("status").asInt()).isEqualTo(400);
        assertThat(badOne.path("index").asText()).isEqualTo(prefix + "-2024.01");
        assertThat(badOne.path("reason").asText()).contains("mapper_parsing_exception").contains("event.count");
        assertThat(badOne.path("document").asText()).isEqualTo(mappingError.json);
        assertThat(rejected.get("none").path("reason").asText()).isEqualTo("alert has no id");
        assertThat(counter(job, "alertsDeadLettered")).isEqualTo(2);
    }

    @Test
    void writesOverTlsWithBasicAuthFromAFile(@TempDir Path dir) throws Exception {
        TestCertificate certificate = TestCertificate.shared();
        Path password = Files.writeString(dir.resolve("es-password"), "s3cr3t pa$$word\n");
        List<AlertDocument> alerts = SampleAlerts.all();
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).withTls(certificate.serverContext())
                .requiringAuthorization(basic("sysmon-cep", "s3cr3t pa$$word")).open()) {

            write(sink().url(proxy.url()).caCertificate(certificate.pem())
                    .basicAuth("sysmon-cep", Secret.fromFile(password)).build(), alerts);

            assertThat(proxy.url()).startsWith("https://");
            assertThat(proxy.requestsUnauthorized()).isZero();
        }
        assertWrittenExactlyOnce(alerts);
    }

    @Test
    void sendsAnApiKey() throws Exception {
        List<AlertDocument> alerts = SampleAlerts.all();
        String idAndKey = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw";
        String encoded = Base64.getEncoder().encodeToString(idAndKey.getBytes(StandardCharsets.UTF_8));
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).requiringAuthorization("ApiKey " + encoded).open()) {

            write(sink().url(proxy.url()).apiKey(Secret.of(idAndKey)).build(), alerts.subList(0, 3));
            write(sink().url(proxy.url()).apiKey(Secret.of(encoded)).build(), alerts.subList(3, 6));

            assertThat(proxy.requestsUnauthorized()).isZero();
        }
        assertWrittenExactlyOnce(alerts);
    }

    @Test
    void failsAtOnceOnWrongCredentials() throws Exception {
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).requiringAuthorization(basic("sysmon-cep", "right"))
                .open()) {
            JobClient job = startWriting(sink().url(proxy.url()).installTemplate(false)
                    .basicAuth("sysmon-cep", "wrong").build(), SampleAlerts.all());

            assertThatThrownBy(() -> job.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .rootCause().hasMessageContaining("HTTP 401").hasMessageNotContaining("wrong");
            // One bulk request from each of the two writers, none sent again.
            assertThat(proxy.requestsUnauthorized()).isBetween(1, 2);
            assertThat(counter(job.getJobID(), "requestsRetried")).isZero();
        }
    }

    @Test
    void failsAtOnceOnAnUntrustedCertificate() throws Exception {
        TestCertificate certificate = TestCertificate.shared();
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).withTls(certificate.serverContext()).open()) {
            JobClient job = startWriting(sink().url(proxy.url()).build(), SampleAlerts.all());

            assertThatThrownBy(() -> job.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .satisfies(failure -> assertThat(
                            ExceptionUtils.findThrowable(failure, SSLHandshakeException.class)).isPresent());
            assertThat(counter(job.getJobID(), "requestsRetried")).isZero();
        }
    }

    @Test
    void installScriptPutsTheSameTemplate() throws Exception {
        try (NodeProxy proxy = NodeProxy.inFrontOf(node().url()).requiringAuthorization(basic("admin", "pa\"ss\\word"))
                .open()) {
            ProcessBuilder script = new ProcessBuilder("bash", "job/elasticsearch/install-template.sh", proxy.url())
                    .redirectErrorStream(true);
            script.environment().put("ES_USERNAME", "admin");
            script.environment().put("ES_PASSWORD", "pa\"ss\\word");
            Process run = script.start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(run.exitValue()).as(output).isZero();
        }
        JsonNode installed = node().rest().get("/_index_template/sysmon-cep-alerts").path("index_templates").get(0);
        assertThat(installed.path("index_template").path("index_patterns").get(0).asText())
                .isEqualTo("sysmon-cep-alerts-*");
        JsonNode properties = installed.path("index_template").path("template").path("mappings").path("properties");
        assertThat(leaves(properties, "").keySet())
                .isEqualTo(leaves(IndexTemplate.load().path("template").path("mappings").path("properties"), "").keySet());
        assertThat(at(properties, "event.count").path("type").asText()).isEqualTo("long");
    }

    @Test
    void dashboardQueriesFindTheAlerts() throws Exception {
        node().rest().deleteIndices("sysmon-cep-alerts-*");
        write(sink().index(AlertIndexName.DEFAULT).build(), SampleAlerts.all());
        node().rest().refresh("sysmon-cep-alerts-*");

        for (String file : List.of("kibana-dashboard.ndjson", "opensearch-dashboards.ndjson")) {
            new DashboardCheck(Path.of("job/elasticsearch", file), node().rest()).assertFindsSampleAlerts();
        }
        node().rest().deleteIndices("sysmon-cep-alerts-*");
    }

    @Test
    void aReplayOfTheAttackScenariosWritesExactlyTheExpectedAlertsAndASecondReplayAddsNone(@TempDir Path dir)
            throws Exception {
        Scenarios.Scenario scenario = Scenarios.qakbotLike();
        Path input = Scenarios.write(dir.resolve("in/attack.log"), scenario.events(), SourceFormat.XML, 5);
        String[] args = {"--input", input.toString(), "--output", dir.resolve("alerts.jsonl").toString(),
                "--elasticsearch", node().url().toString(), "--elasticsearch-index", prefix + "-{yyyy.MM}"};

        for (int run = 0; run < 2; run++) {
            ReplayCommand replay = new ReplayCommand();
            new CommandLine(replay).parseArgs(args);
            replay.run();
        }

        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored.values()).extracting(hit -> new Scenarios.Expected(
                        hit.at("/_source/rule/id").asText(), hit.at("/_source/host/name").asText(),
                        hit.at("/_source/process/entity_id").asText(), hit.at("/_source/event/count").asLong()))
                .containsExactlyInAnyOrderElementsOf(scenario.expected());
        List<String> fileIds = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("alerts.jsonl"))) {
            fileIds.add(NodeRest.JSON.readTree(line).at("/event/id").asText());
        }
        assertThat(fileIds).containsExactlyInAnyOrderElementsOf(stored.keySet());
    }

    // --- running jobs ---

    JobID write(ElasticsearchAlertSink sink, List<AlertDocument> alerts) throws Exception {
        JobClient job = startWriting(sink, alerts);
        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        return job.getJobID();
    }

    JobClient startWriting(ElasticsearchAlertSink sink, List<AlertDocument> alerts) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(alerts).sinkTo(sink).name("alerts to " + node().url());
        return env.executeAsync("write " + alerts.size() + " alerts");
    }

    long counter(JobID job, String name) {
        return metrics().findMetrics(job, "\\." + name + "$").values().stream()
                .mapToLong(metric -> ((Counter) metric).getCount()).sum();
    }

    void awaitCounter(JobID job, String name, long atLeast) {
        await(() -> counter(job, name) >= atLeast, Duration.ofSeconds(60), name + " >= " + atLeast);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    // --- looking at the node ---

    void assertWrittenExactlyOnce(List<AlertDocument> alerts) throws Exception {
        Map<String, JsonNode> stored = documents(prefix + "-*");
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        // A fresh index counts each write of a document: version 1 is one write, nothing repeated.
        assertThat(stored.values()).allSatisfy(hit -> assertThat(hit.path("_version").asLong()).isEqualTo(1));
    }

    Map<String, JsonNode> documents(String pattern) throws Exception {
        node().rest().refresh(pattern);
        JsonNode hits = node().rest().post("/" + pattern + "/_search",
                Map.of("size", 1000, "version", true, "query", Map.of("match_all", Map.of()))).path("hits").path("hits");
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        hits.forEach(hit -> byId.put(hit.path("_id").asText(), hit));
        assertThat(byId).as("no id twice").hasSize(hits.size());
        return byId;
    }

    /** The ids of the alerts a query finds. */
    List<String> idsFound(String pattern, Map<String, Object> query) throws Exception {
        node().rest().refresh(pattern);
        List<String> ids = new ArrayList<>();
        node().rest().post("/" + pattern + "/_search", Map.of("size", 1000, "query", query)).path("hits").path("hits")
                .forEach(hit -> ids.add(hit.path("_id").asText()));
        return ids;
    }

    long count(String pattern) throws Exception {
        node().rest().refresh(pattern);
        return node().rest().get("/" + pattern + "/_count").path("count").asLong();
    }

    static List<String> ids(List<AlertDocument> alerts) {
        return alerts.stream().map(alert -> alert.id).collect(Collectors.toList());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Every field the template declares, by dotted path, with its declaration. */
    static Map<String, JsonNode> leaves(JsonNode properties, String parent) {
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = parent + field.getKey();
            if (field.getValue().has("properties")) {
                leaves.putAll(leaves(field.getValue().path("properties"), path + "."));
            } else {
                leaves.put(path, field.getValue());
            }
        }
        return leaves;
    }

    /** A field's mapping by dotted path, e.g. {@code event.count}. */
    static JsonNode at(JsonNode properties, String dottedPath) {
        JsonNode node = properties;
        String[] parts = dottedPath.startsWith("@") ? new String[] {dottedPath} : dottedPath.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            node = node.path(parts[i]);
            if (i < parts.length - 1) {
                node = node.path("properties");
            }
        }
        return node;
    }
}
