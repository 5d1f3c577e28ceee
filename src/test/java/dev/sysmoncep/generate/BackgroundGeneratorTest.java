package dev.sysmoncep.generate;

import static dev.sysmoncep.generate.RenderedLines.eventData;
import static dev.sysmoncep.generate.RenderedLines.json;
import static dev.sysmoncep.generate.RenderedLines.system;
import static dev.sysmoncep.generate.RenderedLines.xml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;

class BackgroundGeneratorTest {
    private static final Instant START = Instant.parse("2024-03-11T00:00:00Z");

    @ParameterizedTest
    @EnumSource(GeneratedFormat.class)
    void sameSeedGivesTheSameLines(GeneratedFormat format) throws IOException {
        assertThat(lines(7, format, 3000)).isEqualTo(lines(7, format, 3000));
        assertThat(lines(8, format, 3000)).isNotEqualTo(lines(7, format, 3000));
    }

    @Test
    void noEventEverMatchesARuleButWermgrDoesItsOrdinaryLookups() {
        BackgroundGenerator generator = new BackgroundGenerator(11, 200, START, 1000);
        Map<String, String> extra = new HashMap<>();
        Map<String, Integer> wermgrLookups = new TreeMap<>();
        int pipeEvents = 0;
        for (int i = 0; i < 200_000; i++) {
            SysmonEvent e = generator.next(extra);
            assertThat(ContractRules.matchesPipeRule(e)).as("wermgr pipe event %s", e).isFalse();
            assertThat(ContractRules.isIpCheckName(e.queryName)).as("IP-check lookup %s", e).isFalse();
            if (e.eventId == 22 && ContractRules.isWermgr(e)) {
                wermgrLookups.merge(e.queryName, 1, Integer::sum);
            }
            if (e.eventId == 17 || e.eventId == 18) {
                pipeEvents++;
            }
        }
        System.out.println("benign wermgr lookups in 200k events: " + wermgrLookups);
        assertThat(pipeEvents).isGreaterThan(5_000);
        assertThat(wermgrLookups).containsKeys("umwatson.events.data.microsoft.com", "watson.microsoft.com");
        assertThat(wermgrLookups.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(100);
    }

    @Test
    void eventMixIsThatOfAWindowsFleet() {
        BackgroundGenerator generator = new BackgroundGenerator(3, 200, START, 1000);
        Map<String, String> extra = new HashMap<>();
        Map<Integer, Integer> counts = new TreeMap<>();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts.merge(generator.next(extra).eventId, 1, Integer::sum);
        }
        System.out.println("event ids in " + n + " events: " + counts);
        assertThat(share(counts, n, 1)).isCloseTo(0.08, within(0.01));
        assertThat(share(counts, n, 3)).isCloseTo(0.20, within(0.01));
        assertThat(share(counts, n, 5)).isCloseTo(0.08, within(0.01));
        assertThat(share(counts, n, 7)).isCloseTo(0.25, within(0.01));
        assertThat(share(counts, n, 10)).isCloseTo(0.05, within(0.01));
        assertThat(share(counts, n, 11)).isCloseTo(0.10, within(0.01));
        assertThat(share(counts, n, 12, 13)).isCloseTo(0.12, within(0.01));
        assertThat(share(counts, n, 17, 18)).isCloseTo(0.05, within(0.01));
        assertThat(share(counts, n, 22)).isCloseTo(0.07, within(0.01));
    }

    @Test
    void aProcessKeepsItsIdentityAcrossItsEventsAndIsCreatedBeforeItActs() {
        BackgroundGenerator generator = new BackgroundGenerator(5, 20, START, 1000);
        Map<String, String> extra = new HashMap<>();
        Map<String, String> identity = new HashMap<>();
        Set<String> hosts = new HashSet<>();
        int events = 100_000;
        for (int i = 0; i < events; i++) {
            SysmonEvent e = generator.next(extra);
            hosts.add(e.host);
            String who = e.host + " " + e.processId + " " + e.image + " " + e.user;
            String before = identity.putIfAbsent(e.processGuid, who);
            if (e.eventId == 1) {
                assertThat(before).as("Process Create of a process seen before: %s", e).isNull();
                assertThat(extra).containsKeys("CommandLine", "ParentProcessGuid", "ParentImage", "Hashes");
                // Sysmon's GUIDs start with the machine's id: parent and child share it.
                assertThat(extra.get("ParentProcessGuid")).startsWith(e.processGuid.substring(0, 9));
            } else if (before != null) {
                assertThat(who).isEqualTo(before);
            }
        }
        assertThat(hosts).hasSize(20);
        assertThat(identity.size()).isBetween(events / 50, events / 5);
    }

    @Test
    void defaultFleetHasTwoHundredHosts() {
        BackgroundGenerator generator = new BackgroundGenerator(1, 200, START, 1000);
        Map<String, String> extra = new HashMap<>();
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            hosts.add(generator.next(extra).host);
        }
        assertThat(hosts).hasSize(200).allMatch(h -> h.matches("WS-[A-Z]+-\\d{3}\\.corp\\.example\\.com"));
    }

    @Test
    void timeAdvancesAtTheRateSlightlyOutOfOrder() {
        double rate = 500;
        BackgroundGenerator generator = new BackgroundGenerator(9, 200, START, rate);
        Map<String, String> extra = new HashMap<>();
        long latest = generator.next(extra).eventTime;
        long largestLateness = 0;
        int n = 100_000;
        for (int i = 1; i < n; i++) {
            long t = generator.next(extra).eventTime;
            assertThat(t).isGreaterThanOrEqualTo(START.toEpochMilli());
            largestLateness = Math.max(largestLateness, latest - t);
            latest = Math.max(latest, t);
        }
        assertThat(largestLateness).isPositive().isLessThanOrEqualTo(BackgroundGenerator.MAX_DISORDER_MILLIS);
        long expectedEnd = START.toEpochMilli() + (long) (n / rate * 1000);
        assertThat(latest).isCloseTo(expectedEnd, within((long) BackgroundGenerator.MAX_DISORDER_MILLIS + 10));
    }

    @Test
    void everyLineIsWellFormedInItsFormat() throws IOException {
        List<String> mixed = lines(21, GeneratedFormat.MIXED, 3000);
        BackgroundGenerator same = new BackgroundGenerator(21, 200, START, 1000);
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < mixed.size(); i++) {
            SysmonEvent e = same.next(extra);
            String line = mixed.get(i);
            SourceFormat format = GeneratedFormat.MIXED.lineFormat(i);
            assertThat(line).isEqualTo(SysmonLineWriter.render(e, extra, format));
            switch (format) {
                case XML -> {
                    Document event = xml(line);
                    assertThat(system(event, "EventID")).isEqualTo(Integer.toString(e.eventId));
                    assertThat(system(event, "Computer")).isEqualTo(e.host);
                    assertThat(eventData(event)).containsKeys("RuleName", "UtcTime").containsAllEntriesOf(extra);
                }
                case FLAT_JSON -> {
                    JsonNode flat = json(line);
                    assertThat(flat.get("EventID").asInt()).isEqualTo(e.eventId);
                    assertThat(flat.get("Hostname").asText()).isEqualTo(e.host);
                    assertThat(flat.get("Message").asText()).contains("\r\nUtcTime: ");
                    extra.forEach((name, value) -> assertThat(flat.get(name).asText()).isEqualTo(value));
                }
                default -> {
                    JsonNode ecs = json(line);
                    assertThat(ecs.at("/event/code").asText()).isEqualTo(Integer.toString(e.eventId));
                    assertThat(ecs.at("/winlog/computer_name").asText()).isEqualTo(e.host);
                    assertThat(ecs.at("/process/entity_id").asText()).isEqualTo(e.processGuid);
                    assertThat(ecs.at("/@timestamp").asText()).isEqualTo(java.time.Instant.ofEpochMilli(e.eventTime).toString());
                }
            }
        }
    }

    /**
     * Real Sysmon lines of this event mix average 1.3 to 1.5 KB: the XML record alone takes 600
     * bytes before its EventData. Flat JSON repeats every field in Message and ECS wraps the event
     * in Winlogbeat's envelope, so those run larger than XML, the format {@code generate} writes
     * by default.
     */
    @Test
    void averageLineIsAboutAKilobyte() throws IOException {
        Map<GeneratedFormat, Double> averages = new TreeMap<>();
        for (GeneratedFormat format : GeneratedFormat.values()) {
            int n = 20_000;
            long bytes = new BackgroundGenerator(2, 200, START, 1000).writeLines(OutputStream.nullOutputStream(), n, format);
            averages.put(format, bytes / (double) n);
        }
        System.out.printf("average line bytes: %s%n", averages);
        assertThat(averages.get(GeneratedFormat.XML)).isBetween(700.0, 1400.0);
        assertThat(averages.get(GeneratedFormat.FLAT_JSON)).isBetween(700.0, 1600.0);
        assertThat(averages.get(GeneratedFormat.ECS_JSON)).isBetween(700.0, 1600.0);
        assertThat(averages.get(GeneratedFormat.MIXED)).isBetween(700.0, 1600.0);
    }

    @Test
    void writeLinesCountsTheBytesItWrites() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bytes = new BackgroundGenerator(4, 10, START, 1000).writeLines(out, 500, GeneratedFormat.MIXED);
        assertThat(bytes).isEqualTo(out.size());
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("\n").hasLineCount(500);
    }

    @Test
    void rejectsAFleetOrRateThatCannotBe() {
        assertThatThrownBy(() -> new BackgroundGenerator(1, 0, START, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackgroundGenerator(1, BackgroundGenerator.MAX_HOSTS + 1, START, 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackgroundGenerator(1, 10, START, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackgroundGenerator(1, 10, START, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> lines(long seed, GeneratedFormat format, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BackgroundGenerator(seed, 200, START, 1000).writeLines(out, count, format);
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static double share(Map<Integer, Integer> counts, int total, int... eventIds) {
        int sum = 0;
        for (int id : eventIds) {
            sum += counts.getOrDefault(id, 0);
        }
        return sum / (double) total;
    }
}
