package dev.sysmoncep.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streaming with an allowed lateness ends where a replay of the same events ends, whatever order
 * they arrive in: events of many wermgr processes (pipes, lookups, sequences in both orders) reach
 * the streaming job in a shuffled order, each up to 50 minutes of event time after its time, paced so
 * that the watermark moves between them and many come behind it. A sink that upserts alerts by id
 * and deletes retracted ones then holds exactly the replay's alerts.
 */
class LateEventsWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<SysmonEvent>> ARRIVALS = new ConcurrentHashMap<>();
    private static final Map<String, ConcurrentLinkedQueue<AlertDocument>> SINKS = new ConcurrentHashMap<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @Test
    void shuffledEventsWithinTheAllowedLatenessEndAsTheReplaysAlerts() throws Exception {
        for (long run = 1; run <= 3; run++) {
            long seed = run;
            Random random = new Random(seed);
            List<SysmonEvent> events = new ArrayList<>(Scenarios.qakbotLike().events());
            events.addAll(randomProcesses(random, 12));
            Map<SysmonEvent, Long> arrival = new HashMap<>();
            events.forEach(e -> arrival.put(e, e.eventTime + (long) (random.nextDouble() * Duration.ofMinutes(50).toMillis())));
            List<SysmonEvent> shuffled = new ArrayList<>(events);
            shuffled.sort(Comparator.comparing(arrival::get));
            SysmonEvent clock = Scenarios.pipe("clock.example.com", "{00000000-0000-0000-0000-00000000C10C}", "1",
                    Scenarios.T0.plus(Duration.ofHours(8)), 18, "\\pipe\\not-wermgr");
            clock.image = "C:\\Windows\\explorer.exe";
            shuffled.add(clock);

            Map<String, ObjectNode> replay = latestById(run("replay-" + seed, shuffled, RuntimeExecutionMode.BATCH));
            List<AlertDocument> streamed = run("stream-" + seed, shuffled, RuntimeExecutionMode.STREAMING);
            Map<String, ObjectNode> upserted = latestById(streamed);

            List<String> missing = new ArrayList<>(summaries(replay));
            missing.removeAll(summaries(upserted));
            List<String> extra = new ArrayList<>(summaries(upserted));
            extra.removeAll(summaries(replay));
            assertThat(missing).as("replay's alerts the stream lacks, seed %d (and has instead: %s)", seed, extra).isEmpty();
            assertThat(extra).as("alerts the stream has beyond the replay's, seed %d", seed).isEmpty();
            upserted.forEach((id, doc) -> assertThat(withoutLateness(doc)).as("alert %s, seed %d", id, seed)
                    .isEqualTo(withoutLateness(replay.get(id))));
            assertThat(streamed).as("alerts raised or changed by late events, seed %d", seed)
                    .anySatisfy(d -> assertThat(JSON.readTree(d.json).at("/sysmon_cep/late").asBoolean()).isTrue());
        }
    }

    /** Processes doing pipes and lookups at random times over two hours, some both within the sequence window. */
    private static List<SysmonEvent> randomProcesses(Random random, int processes) {
        List<SysmonEvent> events = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            String host = "WS-RND-" + (p % 3) + ".corp.example.com";
            String guid = String.format("{5A5A5A5A-0000-0000-0000-%012d}", p);
            String pid = Integer.toString(5000 + p);
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                Instant t = Scenarios.T0.plusMillis((long) (random.nextDouble() * Duration.ofHours(2).toMillis()));
                events.add(random.nextBoolean()
                        ? Scenarios.pipe(host, guid, pid, t, 17 + random.nextInt(2), "\\pipe\\rnd-" + random.nextInt(2))
                        : Scenarios.dns(host, guid, pid, t, random.nextBoolean() ? "api.ipify.org" : "ipinfo.io"));
            }
        }
        return events;
    }

    private static List<AlertDocument> run(String name, List<SysmonEvent> arrivals, RuntimeExecutionMode mode) throws Exception {
        ARRIVALS.put(name, arrivals);
        SINKS.put(name, new ConcurrentLinkedQueue<>());
        Configuration conf = new Configuration().set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(mode);
        boolean streaming = mode == RuntimeExecutionMode.STREAMING;
        // One reader, paced, so the watermark moves between events and shuffled ones come behind it.
        env.setParallelism(1);
        DataGeneratorSource<SysmonRecord> source = new DataGeneratorSource<>(i -> SysmonRecord.event(copy(ARRIVALS.get(name).get(i.intValue()))),
                arrivals.size(), streaming ? RateLimiterStrategy.perSecond(150) : RateLimiterStrategy.noOp(),
                TypeInformation.of(SysmonRecord.class));
        DetectionSettings settings = DetectionSettings.defaults().emitOnOpen(streaming).outOfOrderness(Duration.ofSeconds(2));
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, source, settings);
        streams.alerts().sinkTo(new Collect(name)).name("Collect alerts").setParallelism(1);
        env.execute(name);
        return new ArrayList<>(SINKS.get(name));
    }

    private static SysmonEvent copy(SysmonEvent e) {
        SysmonEvent c = Scenarios.pipe(e.host, e.processGuid, e.processId, Instant.ofEpochMilli(e.eventTime), e.eventId, e.pipeName);
        c.eventType = e.eventType;
        c.image = e.image;
        c.queryName = e.queryName;
        c.queryStatus = e.queryStatus;
        c.queryResults = e.queryResults;
        c.format = SourceFormat.FLAT_JSON;
        return c;
    }

    private static Map<String, ObjectNode> latestById(List<AlertDocument> documents) throws Exception {
        Map<String, ObjectNode> latest = new TreeMap<>();
        for (AlertDocument d : documents) {
            if (d.retracted) {
                latest.remove(d.id);
            } else {
                latest.put(d.id, (ObjectNode) JSON.readTree(d.json));
            }
        }
        return latest;
    }

    /** Rule, host, process, window start and count of each alert, in a form a failure message shows well. */
    private static List<String> summaries(Map<String, ObjectNode> alerts) {
        return alerts.values().stream().map(d -> String.join(" ", d.at("/rule/id").asText().substring(0, 4),
                d.at("/host/name").asText(), d.at("/process/entity_id").asText(), d.at("/winlog/event_data/EventType").asText(),
                d.at("/sysmon_cep/window_start").asText(), "count=" + d.at("/event/count").asText())).sorted().toList();
    }

    private static ObjectNode withoutLateness(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        ObjectNode own = (ObjectNode) copy.get("sysmon_cep");
        own.remove("late");
        own.remove("lateness_ms");
        return copy;
    }

    private record Collect(String name) implements Sink<AlertDocument> {
        @Override
        public SinkWriter<AlertDocument> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(AlertDocument alert, Context ctx) {
                    SINKS.get(name).add(alert);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
