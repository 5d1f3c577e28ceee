package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.alert.AlertIds;
import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * What a user would write instead of the job, to compare with it: a plain Kafka Streams app with two
 * stream threads that reads every record as text, parses it into a Jackson tree or a DOM
 * ({@link TreeParser}), matches the job's rules on the event ({@link EventRule#matches}), aggregates
 * matches per rule and group into alerts (a new alert once the suppression window since the first
 * has passed) and per process into the pipe-and-lookup sequence, and writes both to an alert topic
 * as JSON, keyed by the same deterministic ids. In arrival order, at-least-once, with Kafka Streams'
 * defaults otherwise; a user's app would look the same.
 *
 * <p>Its stores are in memory, not RocksDB: Kafka Streams' RocksDB and Flink's (its own build of it)
 * cannot share a class path, and only the few matching records reach a store, so the store kind
 * does not weigh on the rate.
 */
final class KafkaStreamsApp implements AutoCloseable {
    static final int THREADS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Serde<JsonNode> TREE = Serdes.serdeFrom(
            (topic, tree) -> tree == null ? null : write(tree),
            (topic, bytes) -> bytes == null ? null : read(bytes));

    private final KafkaStreams streams;
    private final AtomicLong alertUpdates = new AtomicLong();

    /**
     * @param applicationId also its consumers' client id prefix, by which {@link KafkaDrain} finds their counts
     */
    KafkaStreamsApp(String bootstrapServers, String applicationId, String input, String alerts, RuleSet rules,
            Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.CLIENT_ID_CONFIG, applicationId);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, THREADS);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Every update of an alert goes out, as the job's do, rather than the latest per cache flush.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        streams = new KafkaStreams(topology(input, alerts, rules), p);
    }

    void start() {
        streams.start();
    }

    /** Alert records written so far (every update of an alert, as the job writes them). */
    long alertUpdates() {
        return alertUpdates.get();
    }

    /** Deletes its local state; for after {@link #close}. */
    void cleanUp() {
        streams.cleanUp();
    }

    /** Stops it, leaving its group, so that the group can go with the run. */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    private Topology topology(String input, String alerts, RuleSet rules) {
        long suppression = rules.suppressionWindow().toMillis();
        long sequenceWindow = rules.sequenceWindow().toMillis();
        ThreadLocal<TreeParser> parsers = ThreadLocal.withInitial(TreeParser::new);
        StreamsBuilder builder = new StreamsBuilder();

        // Each record: parsed into a tree, then one finding per rule that matches, keyed by rule and group.
        KStream<String, JsonNode> findings = builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.String()))
                .flatMap((key, line) -> {
                    SysmonEvent e = line == null ? null : parsers.get().parse(line);
                    List<KeyValue<String, JsonNode>> out = new ArrayList<>();
                    if (e != null) {
                        for (EventRule rule : rules.eventRules()) {
                            if (rule.matches(e)) {
                                out.add(KeyValue.pair(rule.id() + '\u001f' + rule.groupKey(e), finding(rule.id(), e)));
                            }
                        }
                    }
                    return out;
                });

        findings.groupByKey(Grouped.with(Serdes.String(), TREE))
                .aggregate(JSON::createObjectNode, (key, finding, alert) -> joinAlert(key, finding, (ObjectNode) alert, suppression),
                        inMemory("rule-alerts"))
                .toStream()
                .map((key, alert) -> KeyValue.pair(alert.path("id").asText(), alert))
                .peek((id, alert) -> alertUpdates.incrementAndGet())
                .to(alerts, Produced.with(Serdes.String(), TREE));

        for (SequenceRule sequence : rules.sequences()) {
            Set<String> parts = Set.copyOf(sequence.parts());
            findings.filter((key, finding) -> parts.contains(finding.path("rule").asText()))
                    .selectKey((key, finding) -> finding.path("process").asText())
                    .groupByKey(Grouped.with(Serdes.String(), TREE))
                    .aggregate(JSON::createObjectNode,
                            (process, finding, seen) -> seeSequence(sequence, process, finding, (ObjectNode) seen, sequenceWindow),
                            inMemory("sequence-" + sequence.id()))
                    .toStream()
                    .filter((process, seen) -> seen.path("fired").asBoolean())
                    .map((process, seen) -> KeyValue.pair(seen.at("/alert/id").asText(), seen.path("alert")))
                    .peek((id, alert) -> alertUpdates.incrementAndGet())
                    .to(alerts, Produced.with(Serdes.String(), TREE));
        }
        return builder.build();
    }

    private static Materialized<String, JsonNode, KeyValueStore<Bytes, byte[]>> inMemory(String name) {
        return Materialized.<String, JsonNode>as(Stores.inMemoryKeyValueStore(name))
                .withKeySerde(Serdes.String()).withValueSerde(TREE);
    }

    private static JsonNode finding(String ruleId, SysmonEvent e) {
        ObjectNode f = JSON.createObjectNode();
        f.put("rule", ruleId);
        f.put("time", e.eventTime);
        f.put("process", Finding.processKey(e));
        f.put("host", e.host);
        f.put("pipe", e.pipeName);
        f.put("query", e.queryName);
        return f;
    }

    /** Splunk's stats by group: the first finding opens an alert, later ones within the window join it. */
    private static JsonNode joinAlert(String key, JsonNode finding, ObjectNode alert, long window) {
        long time = finding.path("time").asLong();
        if (!alert.has("id") || time - alert.path("first").asLong() >= window) {
            String[] ruleAndGroup = key.split("\u001f", 2);
            alert.removeAll();
            alert.put("id", AlertIds.of(ruleAndGroup[0], ruleAndGroup[1], time));
            alert.put("rule", ruleAndGroup[0]);
            alert.put("host", finding.path("host").asText());
            alert.put("first", time);
            alert.put("last", time);
            alert.put("count", 1);
            return alert;
        }
        alert.put("first", Math.min(time, alert.path("first").asLong()));
        alert.put("last", Math.max(time, alert.path("last").asLong()));
        alert.put("count", alert.path("count").asLong() + 1);
        return alert;
    }

    /**
     * The latest time of each part seen in the process; the sequence fires once every part lies within
     * the window of each other, and not again within the window of its first part.
     */
    private static JsonNode seeSequence(SequenceRule sequence, String process, JsonNode finding, ObjectNode seen,
            long window) {
        ObjectNode times = seen.has("parts") ? (ObjectNode) seen.get("parts") : seen.putObject("parts");
        times.put(finding.path("rule").asText(), finding.path("time").asLong());
        seen.put("fired", false);
        if (times.size() < sequence.parts().size()) {
            return seen;
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Map.Entry<String, JsonNode> part : times.properties()) {
            long t = part.getValue().asLong();
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
        boolean within = last - first <= window;
        boolean alertedAlready = seen.has("alert") && first - seen.at("/alert/first").asLong() < window;
        if (within && !alertedAlready) {
            ObjectNode alert = JSON.createObjectNode();
            alert.put("id", AlertIds.of(sequence.id(), process, first));
            alert.put("rule", sequence.id());
            alert.put("host", finding.path("host").asText());
            alert.put("first", first);
            alert.put("last", last);
            seen.set("alert", alert);
            seen.put("fired", true);
        }
        return seen;
    }

    private static byte[] write(JsonNode tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
