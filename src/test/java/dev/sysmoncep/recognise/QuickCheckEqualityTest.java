package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.GeneratedFormat;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonRecord;
import dev.sysmoncep.records.SysmonRecord.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The replay's cheap check of lines no rule can match ({@link SysmonLineParser#classify}) against
 * the full parser, line by line: wherever the check settles a line it says what the full parser
 * says (kind, format, event time), over the 200,000 hostile lines of a fuzz run, every real line in
 * the tests' resources, and generated fleet traffic in every format; and on ordinary traffic it
 * settles nearly every line, or it would save nothing.
 */
class QuickCheckEqualityTest {
    private final SysmonLineParser quick = new SysmonLineParser();
    private final SysmonLineParser full = new SysmonLineParser();

    private record Tally(Map<Kind, Integer> settled, int unsettled) {}

    private Tally compare(List<byte[]> lines, String what) {
        Map<Kind, Integer> settled = new EnumMap<>(Kind.class);
        int unsettled = 0;
        int number = 0;
        for (byte[] line : lines) {
            number++;
            SysmonRecord r = full.parse(line, 0, line.length, Origin.fileLine(what, number));
            if (!quick.classify(line, 0, line.length)) {
                unsettled++;
                continue;
            }
            String shown = what + " line " + number + ": " + SysmonLineParserPropertyTest.abbreviated(line);
            assertThat(quick.classifiedKind()).as(shown).isEqualTo(r.kind);
            if (r.kind != Kind.BLANK) {
                assertThat(quick.classifiedFormat()).as(shown).isEqualTo(r.format);
            }
            if (r.kind == Kind.EVENT) {
                assertThat(quick.classifiedTime()).as(shown).isEqualTo(r.event.eventTime);
            }
            settled.merge(r.kind, 1, Integer::sum);
        }
        System.out.printf("%s: %d lines, settled %s, left to the full parser %d%n", what, lines.size(), settled, unsettled);
        return new Tally(settled, unsettled);
    }

    @Test
    void onHostileLinesTheCheckNeverDisagreesWithTheFullParser() {
        long seed = HostileLines.seed();
        int count = Integer.getInteger("sysmoncep.fuzz.lines", 200_000);
        HostileLines hostile = new HostileLines(seed, 64 * 1024);
        List<byte[]> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(hostile.next().bytes());
        }
        compare(lines, "hostile (seed " + seed + ")");
    }

    /** A UtcTime given empty is no missing one: the check never settles such a line by the record time. */
    @Test
    void onLinesWithAnEmptyUtcTimeTheCheckAgreesWithTheFullParser() {
        List<byte[]> lines = new ArrayList<>();
        for (String line : SysmonLineParserTest.EMPTY_UTC_TIMES) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
            lines.add(line.replace("17", "1").getBytes(StandardCharsets.UTF_8));
        }
        lines.add(("{\"EventID\":1,\"UtcTime\":\"\",\"@timestamp\":\"2024-03-12T09:00:00.350Z\","
                + "\"Message\":\"Process Create:\\r\\nUtcTime: 2024-03-12 09:00:00.000\"}").getBytes(StandardCharsets.UTF_8));
        compare(lines, "empty UtcTime");
    }

    @Test
    void onEveryRealLineTheCheckAgreesAndSettlesThem() throws IOException {
        List<byte[]> json = new ArrayList<>();
        List<byte[]> xml = new ArrayList<>();
        List<byte[]> all = new ArrayList<>();
        for (Path dir : List.of(Path.of("src/test/resources/real-lines"), Path.of("src/test/resources/real"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl") || p.toString().endsWith(".xml")
                        || p.toString().endsWith(".gz")).sorted().toList()) {
                    for (byte[] line : TestLines.of(dir.getFileName() + "/" + f.getFileName())) {
                        all.add(line);
                        if (line.length > 0 && line[0] == '{') {
                            json.add(line);
                        } else if (line.length > 0 && line[0] == '<') {
                            xml.add(line);
                        }
                    }
                }
            }
        }
        compare(all, "real lines");
        Tally t = compare(json, "real JSON lines");
        assertThat(t.unsettled()).as("JSON lines left to the full parser").isLessThan(json.size() / 10);
        assertThat(compare(xml, "real XML lines").unsettled()).as("XML lines left to the full parser").isZero();
    }

    @Test
    void onGeneratedTrafficInEveryFormatTheCheckAgreesAndSettlesIt() throws IOException {
        for (GeneratedFormat format : GeneratedFormat.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new BackgroundGenerator(7, 50, Instant.parse("2024-03-11T00:00:00Z"), 100).writeLines(out, 20_000, format);
            List<byte[]> lines = new ArrayList<>();
            for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) {
                lines.add(l.getBytes(StandardCharsets.UTF_8));
            }
            Tally t = compare(lines, "generated " + format);
            assertThat(t.unsettled()).as(format + " lines left to the full parser").isLessThan(lines.size() / 100);
        }
    }
}
