package dev.sysmoncep.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.RunSummary;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.recognise.HostileLines;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord.Kind;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The replay as a user runs it, over files where the attack scenario's events hide among at least
 * 100,000 malformed and adversarial lines ({@link HostileLines}, seeded: the seed is printed,
 * {@code -Dsysmoncep.fuzz.seed=N} replays it): the job ends, every bad line and no other is
 * dead-lettered with a reason at its file and line, the counts add up, and the alerts are those of
 * the attack alone, field for field. The timeout only guards against a hang.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputReplayTest {
    private static final int MAX_LINE_BYTES = 16 * 1024;
    private static final int FILES = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    /** A line to write and what it must become. */
    private record Entry(byte[] bytes, Kind expected) {}

    @Test
    void attackAlertsComeOutUnchangedFromAmong100000HostileLinesAndEveryBadLineIsDeadLettered() throws Exception {
        long seed = HostileLines.seed();
        int hostileCount = Integer.getInteger("sysmoncep.fuzz.replayLines", 100_000);
        Scenario scenario = Scenarios.qakbotLike();
        List<String> attack = attackLines(scenario);

        Path clean = Files.createDirectories(dir.resolve("clean"));
        Files.write(clean.resolve("attack.log"), attack, StandardCharsets.UTF_8);

        // The attack's lines at random places among the hostile ones, over several files; the first
        // two hostile lines hold a 10 MB field each.
        HostileLines hostile = new HostileLines(seed, MAX_LINE_BYTES);
        Random random = new Random(seed);
        List<List<Entry>> files = new ArrayList<>();
        for (int f = 0; f < FILES; f++) {
            files.add(new ArrayList<>());
        }
        Map<HostileLines.Hostility, Integer> perHostility = new EnumMap<>(HostileLines.Hostility.class);
        for (int i = 0; i < hostileCount; i++) {
            HostileLines.Line line = i < 2 ? hostile.hugeField(10 << 20) : hostile.next();
            files.get(i % FILES).add(new Entry(line.bytes(), line.expected()));
            perHostility.merge(line.hostility(), 1, Integer::sum);
        }
        for (String line : attack) {
            List<Entry> file = files.get(random.nextInt(FILES));
            file.add(random.nextInt(file.size() + 1), new Entry(line.getBytes(StandardCharsets.UTF_8), Kind.EVENT));
        }
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Map<Kind, Long> expectedKinds = new EnumMap<>(Kind.class);
        Set<String> bad = new HashSet<>();
        long bytes = 0;
        for (int f = 0; f < FILES; f++) {
            String name = "hostile-" + f + ".log";
            List<Entry> entries = files.get(f);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(mixed.resolve(name)), 1 << 20)) {
                for (int i = 0; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    out.write(e.bytes());
                    out.write('\n');
                    bytes += e.bytes().length + 1;
                    expectedKinds.merge(e.expected(), 1L, Long::sum);
                    if (e.expected() == Kind.DEAD_LETTER) {
                        bad.add(name + ":" + (i + 1));
                    }
                }
            }
        }
        files.clear();
        System.out.printf("%d hostile lines %s and %d attack lines, %d MB in %d files; expected %s%n", hostileCount,
                perHostility, attack.size(), bytes >> 20, FILES, expectedKinds);

        ReplayEndToEndTest.Replay baseline = replay(clean);
        long started = System.nanoTime();
        ReplayEndToEndTest.Replay r = replay(mixed);
        System.out.printf("replay of the hostile files took %.1f s%n", (System.nanoTime() - started) / 1e9);

        RunSummary counts = r.summary();
        int total = hostileCount + attack.size();
        assertThat(counts.count(JobCounters.LINES_READ)).isEqualTo((long) total);
        assertThat(counts.count(JobCounters.EVENTS_PARSED) + counts.count(JobCounters.NOT_SYSMON)
                + counts.count(JobCounters.BLANK_LINES) + counts.count(JobCounters.DEAD_LETTERED)).isEqualTo((long) total);
        assertThat(counts.count(JobCounters.BLANK_LINES)).isEqualTo(expectedKinds.getOrDefault(Kind.BLANK, 0L));
        assertThat(counts.count(JobCounters.EVENTS_PARSED)).isEqualTo(expectedKinds.getOrDefault(Kind.EVENT, 0L));
        assertThat(counts.count(JobCounters.NOT_SYSMON)).isEqualTo(expectedKinds.getOrDefault(Kind.NOT_SYSMON, 0L));
        assertThat(counts.count(JobCounters.DEAD_LETTERED)).isEqualTo(expectedKinds.getOrDefault(Kind.DEAD_LETTER, 0L));

        Set<String> deadLettered = new HashSet<>();
        for (JsonNode d : r.deadLetters()) {
            String at = Path.of(d.path("file").asText().replaceFirst("^file:", "")).getFileName() + ":"
                    + d.path("line_number").asLong();
            assertThat(d.path("reason").asText()).as(at).isNotBlank().doesNotStartWith("parser failure");
            assertThat(deadLettered.add(at)).as("dead-lettered once: " + at).isTrue();
        }
        assertThat(deadLettered).isEqualTo(bad);

        assertThat(ReplayEndToEndTest.asExpected(r.alerts())).containsExactlyInAnyOrderElementsOf(scenario.expected());
        assertThat(withoutOrigins(r.alerts())).isEqualTo(withoutOrigins(baseline.alerts()));
        assertThat(counts.count(JobCounters.EVENTS_MATCHED)).isEqualTo(baseline.summary().count(JobCounters.EVENTS_MATCHED));
    }

    @Test
    void attackEventsWithFieldsOfTheWrongJsonTypeNeverStopTheJobAndNumbersAsTextChangeNoAlert() throws Exception {
        Scenario scenario = Scenarios.qakbotLike();
        List<String> clean = new ArrayList<>();
        List<String> numbersSwapped = new ArrayList<>();
        List<String> containers = new ArrayList<>();
        String[] notMatched = {"ProcessId", "User", "QueryStatus", "QueryResults", "Computer", "ProcessGuid", "UtcTime"};
        int i = 0;
        for (var event : scenario.events()) {
            String line = SysmonLineWriter.render(event, Map.of(), SourceFormat.FLAT_JSON);
            clean.add(line);
            ObjectNode swapped = (ObjectNode) JSON.readTree(line);
            swapped.put("EventID", swapped.path("EventID").asText());
            swapped.put("ProcessId", Long.parseLong(swapped.path("ProcessId").asText()));
            if (swapped.has("QueryStatus")) {
                swapped.put("QueryStatus", Long.parseLong(swapped.path("QueryStatus").asText()));
            }
            numbersSwapped.add(swapped.toString());
            // One field the rules do not match on, as an object, an array or null; its Message would
            // stand in, so that goes too, and the UtcTime's stand-in is the record's @timestamp.
            ObjectNode container = (ObjectNode) JSON.readTree(line);
            container.remove("Message");
            String field = notMatched[i++ % notMatched.length];
            switch (i % 3) {
                case 0 -> container.putObject(field).put("value", container.path(field).asText());
                case 1 -> container.putArray(field).add(container.path(field).asText());
                default -> container.putNull(field);
            }
            containers.add(container.toString());
        }
        Path cleanDir = Files.createDirectories(dir.resolve("typed-clean"));
        Files.write(cleanDir.resolve("attack.log"), clean, StandardCharsets.UTF_8);
        Path swappedDir = Files.createDirectories(dir.resolve("typed-swapped"));
        Files.write(swappedDir.resolve("attack.log"), numbersSwapped, StandardCharsets.UTF_8);
        Path containerDir = Files.createDirectories(dir.resolve("typed-containers"));
        Files.write(containerDir.resolve("attack.log"), containers, StandardCharsets.UTF_8);

        ReplayEndToEndTest.Replay baseline = replay(cleanDir);
        ReplayEndToEndTest.Replay swapped = replay(swappedDir);
        ReplayEndToEndTest.Replay odd = replay(containerDir);

        assertThat(withoutOrigins(swapped.alerts())).isEqualTo(withoutOrigins(baseline.alerts()));
        assertThat(odd.deadLetters()).isEmpty();
        assertThat(odd.summary().count(JobCounters.EVENTS_PARSED)).isEqualTo(scenario.events().size());
        assertThat(odd.alerts()).extracting(a -> a.at("/rule/id").asText())
                .containsAll(baseline.alerts().stream().map(a -> a.at("/rule/id").asText()).toList());
    }

    private ReplayEndToEndTest.Replay replay(Path input) throws Exception {
        Path out = dir.resolve(input.getFileName() + "-alerts.jsonl");
        Path dead = dir.resolve(input.getFileName() + "-dead-letters.jsonl");
        ReplayCommand command = new ReplayCommand();
        new CommandLine(command).parseArgs("--input", input.toString(), "--output", out.toString(),
                "--dead-letter", dead.toString(), "--max-line-bytes", Integer.toString(MAX_LINE_BYTES), "-p", "2",
                "--no-progress");
        RunSummary summary = command.run();
        return new ReplayEndToEndTest.Replay(summary, ReplayEndToEndTest.readJsonLines(out),
                ReplayEndToEndTest.readJsonLines(dead));
    }

    /** The scenario's events, in turn as XML, flat JSON and ECS JSON. */
    private static List<String> attackLines(Scenario scenario) {
        SourceFormat[] formats = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < scenario.events().size(); i++) {
            lines.add(SysmonLineWriter.render(scenario.events().get(i), Map.of(), formats[i % formats.length]));
        }
        return lines;
    }

    /** Alerts by id, without where their first event was read (a file and line), which differs between runs. */
    private static Map<String, JsonNode> withoutOrigins(List<JsonNode> alerts) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode alert : alerts) {
            ObjectNode copy = alert.deepCopy();
            ((ObjectNode) copy.path("sysmon_cep")).remove("first_event_origin");
            byId.put(copy.at("/event/id").asText(), copy);
        }
        return byId;
    }
}
