package dev.sysmoncep.workflow;

import static dev.sysmoncep.Scenarios.IP_CHECK_RULE;
import static dev.sysmoncep.Scenarios.PIPE_RULE;
import static dev.sysmoncep.Scenarios.SEQUENCE_RULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.Scenarios.Scenario;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.ReplayCommand;
import dev.sysmoncep.cli.RunSummary;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;
import picocli.CommandLine;

/**
 * Replays of what real collectors and analysts hand over, each expected to raise exactly the alerts
 * of the same events in a plain file of lines: every compression in any letter case, zip archives
 * (OTRF ships its datasets so), Windows exports in UTF-16, old Mac line ends, pretty-printed JSON
 * arrays and one array a line; one event in any of the three formats; and sequence alerts that list
 * everything their process did.
 */
class CollectorFilesReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    record Replay(RunSummary summary, List<JsonNode> alerts) {
        Set<String> ids() {
            return alerts.stream().map(a -> a.at("/event/id").asText()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Replay replay(Path input, String... more) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime() + ".jsonl");
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--output", out.toString(), "-p", "2",
                "--quiet"));
        args.addAll(List.of(more));
        ReplayCommand command = new ReplayCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        RunSummary summary = command.run();
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            alerts.add(JSON.readTree(line));
        }
        return new Replay(summary, alerts);
    }

    private static byte[] lines(List<SysmonEvent> events, SourceFormat format, String newline) {
        StringBuilder s = new StringBuilder();
        for (SysmonEvent e : events) {
            s.append(SysmonLineWriter.render(e, Map.of(), format)).append(newline);
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve("in-" + System.nanoTime()).resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, bytes);
        return f;
    }

    private interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] compressed(byte[] plain, Compressor c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = c.wrap(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    @Test
    void everyKindOfFileACollectorOrAnAnalystHandsOverRaisesTheSameAlerts() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        byte[] plain = lines(s.events(), SourceFormat.XML, "\n");
        Set<String> expected = replay(file("plain.xml", plain)).ids();
        assertThat(expected).hasSize(s.expected().size());

        String text = new String(plain, StandardCharsets.UTF_8);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            List<SysmonEvent> events = s.events();
            z.putNextEntry(new ZipEntry("dataset/first-half.xml"));
            z.write(lines(events.subList(0, events.size() / 2), SourceFormat.XML, "\n"));
            z.putNextEntry(new ZipEntry("dataset/second-half.json"));
            z.write(lines(events.subList(events.size() / 2, events.size()), SourceFormat.FLAT_JSON, "\n"));
            z.putNextEntry(new ZipEntry("__MACOSX/dataset/._first-half.xml"));
            z.write(new byte[] {0, 5, 22, 7, (byte) 0xff});
        }
        Map<String, byte[]> kinds = Map.ofEntries(
                Map.entry("events.xml.xz", compressed(plain, out -> new XZOutputStream(out, new LZMA2Options()))),
                Map.entry("events.xml.bz2", compressed(plain, BZip2CompressorOutputStream::new)),
                Map.entry("events.xml.zst", compressed(plain, ZstdOutputStream::new)),
                Map.entry("EVENTS.XML.GZ", compressed(plain, GZIPOutputStream::new)),
                Map.entry("OTRF-dataset.zip", zip.toByteArray()),
                Map.entry("export-utf16le.xml", utf16(text.replace("\n", "\r\n"), true)),
                Map.entry("export-utf16be.xml", utf16(text, false)),
                Map.entry("classic-mac.xml", text.replace("\n", "\r").getBytes(StandardCharsets.UTF_8)),
                Map.entry("pretty-flat.json", prettyArray(s.events(), SourceFormat.FLAT_JSON)),
                Map.entry("pretty-ecs.json", prettyArray(s.events(), SourceFormat.ECS_JSON)),
                Map.entry("batch-per-line.json", arrayPerLine(s.events(), SourceFormat.FLAT_JSON, 3)));
        for (Map.Entry<String, byte[]> kind : kinds.entrySet()) {
            Replay r = replay(file(kind.getKey(), kind.getValue()));
            assertThat(r.ids()).as(kind.getKey()).isEqualTo(expected);
            assertThat(r.summary().count(JobCounters.EVENTS_PARSED)).as(kind.getKey()).isEqualTo(s.events().size());
            long deadLetters = r.summary().count(JobCounters.DEAD_LETTERED);
            assertThat(deadLetters).as(kind.getKey() + ": nothing refused (the hidden zip entry is passed over)").isZero();
        }
    }

    private static byte[] utf16(String text, boolean littleEndian) {
        byte[] body = text.getBytes(littleEndian ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        byte[] bom = littleEndian ? new byte[] {(byte) 0xFF, (byte) 0xFE} : new byte[] {(byte) 0xFE, (byte) 0xFF};
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 2);
        System.arraycopy(body, 0, all, 2, body.length);
        return all;
    }

    /** As Elastic's and PowerShell's exports write them: one array, indented over many lines. */
    private static byte[] prettyArray(List<SysmonEvent> events, SourceFormat format) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        for (SysmonEvent e : events) {
            array.add(JSON.readTree(SysmonLineWriter.render(e, Map.of(), format)));
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(array);
    }

    /** As collectors that batch events write them: one JSON array of up to {@code perLine} events a line. */
    private static byte[] arrayPerLine(List<SysmonEvent> events, SourceFormat format, int perLine) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < events.size(); i += perLine) {
            List<String> batch = new ArrayList<>();
            for (SysmonEvent e : events.subList(i, Math.min(i + perLine, events.size()))) {
                batch.add(SysmonLineWriter.render(e, Map.of(), format));
            }
            s.append('[').append(String.join(",", batch)).append("]\n");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The property: any scenario event rendered in XML, flat JSON or Winlogbeat ECS gives the same alerts. */
    @Test
    void theSameEventsInEachFormatRaiseTheSameAlertIds() throws Exception {
        Scenario s = Scenarios.qakbotLike();
        Set<String> xml = replay(file("a.xml", lines(s.events(), SourceFormat.XML, "\n"))).ids();
        Set<String> flat = replay(file("a.json", lines(s.events(), SourceFormat.FLAT_JSON, "\n"))).ids();
        Set<String> ecs = replay(file("a.ndjson", lines(s.events(), SourceFormat.ECS_JSON, "\n"))).ids();
        assertThat(xml).hasSize(s.expected().size()).isEqualTo(flat).isEqualTo(ecs);
    }

    private static final String HOST = "WS-SEQ-01.corp.example.com";
    private static final String GUID = "{5A1B2C3D-0001-65F0-0A01-000000000700}";

    /** Ten pipes in a burst, then one lookup: the sequence alert lists every pipe and every contributing alert. */
    @Test
    void aSequenceAlertListsEveryPipeOfABurstBeforeItsLookup() throws Exception {
        List<SysmonEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(Scenarios.pipe(HOST, GUID, "5100", Scenarios.T0.plusSeconds(i), 17, "\\pipe\\qbot-" + i));
        }
        events.add(Scenarios.dns(HOST, GUID, "5100", Scenarios.T0.plus(Duration.ofMinutes(3)), "api.ipify.org"));
        Replay r = replay(file("burst.json", lines(events, SourceFormat.FLAT_JSON, "\n")));

        JsonNode sequence = only(r, SEQUENCE_RULE);
        assertThat(texts(sequence.at("/sysmon_cep/pipe_names"))).hasSize(10).contains("\\pipe\\qbot-0", "\\pipe\\qbot-9");
        assertThat(texts(sequence.at("/sysmon_cep/related_alert_ids")))
                .containsExactlyInAnyOrderElementsOf(idsOf(r, PIPE_RULE, IP_CHECK_RULE));
        assertThat(sequence.at("/event/start").asText()).isEqualTo(Scenarios.T0.toString());
        assertThat(sequence.at("/event/count").asLong()).as("one completed sequence").isEqualTo(1);
    }

    /** q1, q2, pipe, q3 (a lookup after the match completed): every query is listed. */
    @Test
    void aSequenceAlertListsTheQueriesBeforeAndAfterItsMatch() throws Exception {
        List<SysmonEvent> events = List.of(
                Scenarios.dns(HOST, GUID, "5100", Scenarios.T0, "api.ipify.org"),
                Scenarios.dns(HOST, GUID, "5100", Scenarios.T0.plusSeconds(30), "ipinfo.io"),
                Scenarios.pipe(HOST, GUID, "5100", Scenarios.T0.plusSeconds(60), 18, "\\pipe\\qbot"),
                Scenarios.dns(HOST, GUID, "5100", Scenarios.T0.plusSeconds(90), "icanhazip.com"));
        Replay r = replay(file("q1q2pq3.xml", lines(events, SourceFormat.XML, "\n")));

        JsonNode sequence = only(r, SEQUENCE_RULE);
        assertThat(texts(sequence.at("/sysmon_cep/query_names"))).containsExactly("api.ipify.org", "icanhazip.com", "ipinfo.io");
        assertThat(sequence.at("/message").asText()).contains("api.ipify.org, icanhazip.com, ipinfo.io");
        assertThat(texts(sequence.at("/sysmon_cep/related_alert_ids")))
                .containsExactlyInAnyOrderElementsOf(idsOf(r, PIPE_RULE, IP_CHECK_RULE));
        assertThat(sequence.at("/event/end").asText()).isEqualTo(Scenarios.T0.plusSeconds(90).toString());
    }

    /** An XML comment inside Image: the text is still wermgr.exe, and the fast path must not drop the line. */
    @Test
    void anXmlCommentInsideAValueNeitherHidesTheEventNorIsDroppedByTheFastPath() throws Exception {
        SysmonEvent pipe = Scenarios.pipe(HOST, GUID, "5100", Scenarios.T0, 17, "\\pipe\\qbot");
        String line = SysmonLineWriter.render(pipe, Map.of(), SourceFormat.XML).replace("wermgr.exe", "wer<!-- x -->mgr.exe");
        assertThat(line).doesNotContain("wermgr");
        Path input = file("commented.xml", (line + "\n").getBytes(StandardCharsets.UTF_8));
        for (String[] mode : new String[][] {{}, {"--skip-unmatchable-lines"}}) {
            assertThat(replay(input, mode).alerts()).as(String.join(" ", mode)).extracting(a -> a.at("/rule/id").asText())
                    .containsExactly(PIPE_RULE);
        }
    }

    /** An event without Computer: the message says the host is unknown, never a raw $dest$. */
    @Test
    void aMessageWhoseFieldIsAbsentSaysSoInWords() throws Exception {
        SysmonEvent dns = Scenarios.dns(HOST, GUID, "5100", Scenarios.T0, "api.ipify.org");
        String line = SysmonLineWriter.render(dns, Map.of(), SourceFormat.FLAT_JSON).replaceAll("\"(Hostname|Computer)\":\"[^\"]*\",?", "");
        JsonNode alert = only(replay(file("nohost.json", (line + "\n").getBytes(StandardCharsets.UTF_8))), IP_CHECK_RULE);
        assertThat(alert.at("/message").asText()).isEqualTo("Wermgr.exe process connecting IP location web services on (host unknown)")
                .doesNotContain("$");
    }

    private static JsonNode only(Replay r, String ruleId) {
        List<JsonNode> of = r.alerts().stream().filter(a -> a.at("/rule/id").asText().equals(ruleId)).toList();
        assertThat(of).as(ruleId + " in " + r.alerts()).hasSize(1);
        return of.get(0);
    }

    private static List<String> idsOf(Replay r, String... ruleIds) {
        Set<String> rules = Set.of(ruleIds);
        return r.alerts().stream().filter(a -> rules.contains(a.at("/rule/id").asText())).map(a -> a.at("/event/id").asText())
                .toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
