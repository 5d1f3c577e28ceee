package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.recognise.HostileLines.Hostility;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonRecord.Kind;
import dev.sysmoncep.records.SysmonRecord;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of {@link SysmonLineParser#parse} over generated input: it never throws, every line
 * becomes an event, a record of another channel or a dead letter with a reason, and each hostile
 * line becomes what it must. The seed is printed; {@code -Dsysmoncep.fuzz.seed=N} replays a run,
 * {@code -Dsysmoncep.fuzz.lines=N} sets its size. The timeout only guards against a hang.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SysmonLineParserPropertyTest {
    private static final int MAX_LINE_BYTES = 16 * 1024;
    private static final String[] TOKENS = {
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u0000", "\\ud800", "EventID", "\"EventID\"", "\"UtcTime\"",
        "\"2024-03-12 09:14:05.125\"", "\"winlog\"", "\"event_data\"", "\"ProcessGuid\"", "\"Message\"", "22", "17",
        "-0", "1e309", "99999999999999999999999", "true", "null", " ", "\t", "<", ">", "</", "/>", "<Event>",
        "</Event>", "<System>", "<EventID>", "</EventID>", "<Data Name='UtcTime'>", "</Data>", "<EventData>",
        "<!DOCTYPE Event [", "<!ENTITY e \"x\">", "]>", "&e;", "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>",
        "<?xml version='1.0' encoding='UTF-16'?>", "<!--", "-->", "=", "'", "xmlns:a='b'", "a:Event", "é", "日本",
        "😀", "\u00ff"};

    private final SysmonLineParser parser = new SysmonLineParser(MAX_LINE_BYTES);

    @Test
    void everyHostileLineBecomesWhatItMustAndNothingThrows() {
        long seed = HostileLines.seed();
        int count = Integer.getInteger("sysmoncep.fuzz.lines", 200_000);
        HostileLines hostile = new HostileLines(seed, MAX_LINE_BYTES);
        Map<Hostility, Integer> perHostility = new EnumMap<>(Hostility.class);
        Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
        long slowestNanos = 0;
        Hostility slowest = null;
        for (int i = 1; i <= count; i++) {
            HostileLines.Line line = hostile.next();
            long started = System.nanoTime();
            SysmonRecord record = parse(line.bytes(), i);
            long took = System.nanoTime() - started;
            if (took > slowestNanos) {
                slowestNanos = took;
                slowest = line.hostility();
            }
            assertThat(record.kind).as("seed %d, line %d (%s): %s", seed, i, line.hostility(), abbreviated(line.bytes()))
                    .isEqualTo(line.expected());
            perHostility.merge(line.hostility(), 1, Integer::sum);
            perKind.merge(record.kind, 1, Integer::sum);
        }
        HostileLines.Line tenMegabyteField = hostile.hugeField(10 << 20);
        assertThat(parse(tenMegabyteField.bytes(), count + 1).deadLetter.reason).contains("over the limit");
        assertThat(perHostility).as("every hostility drawn").hasSize(Hostility.values().length);
        System.out.printf("%d hostile lines: %s; became %s; slowest line %.1f ms (%s)%n", count, perHostility, perKind,
                slowestNanos / 1e6, slowest);
    }

    @Test
    void randomTokenSoupAndRandomBytesNeverThrowAndAlwaysSayWhy() {
        long seed = HostileLines.seed();
        Random random = new Random(seed);
        int count = Integer.getInteger("sysmoncep.fuzz.lines", 200_000) * 2;
        Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
        StringBuilder soup = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            byte[] line;
            if (i % 4 == 0) {
                line = new byte[random.nextInt(64)];
                random.nextBytes(line);
            } else {
                soup.setLength(0);
                soup.append(random.nextBoolean() ? "{" : "<");
                for (int t = random.nextInt(40); t > 0; t--) {
                    soup.append(TOKENS[random.nextInt(TOKENS.length)]);
                }
                line = soup.toString().getBytes(StandardCharsets.UTF_8);
            }
            SysmonRecord record = parse(line, i);
            perKind.merge(record.kind, 1, Integer::sum);
        }
        System.out.printf("%d random inputs became %s%n", count, perKind);
    }

    /** Parses one line and checks what holds for every line, whatever it is. */
    private SysmonRecord parse(byte[] line, long number) {
        Origin origin = Origin.fileLine("fuzz", number);
        SysmonRecord record = parser.parse(line, 0, line.length, origin);
        assertThat(record.kind).as("line %d: %s", number, abbreviated(line)).isIn(Kind.EVENT, Kind.NOT_SYSMON, Kind.DEAD_LETTER, Kind.BLANK);
        if (record.kind == Kind.DEAD_LETTER) {
            assertThat(record.deadLetter.reason).as("line %d: %s", number, abbreviated(line))
                    .isNotBlank().doesNotStartWith("parser failure");
            assertThat(record.deadLetter.origin).isEqualTo(origin);
            assertThat(record.deadLetter.length).isEqualTo(line.length);
        } else if (record.kind == Kind.EVENT) {
            assertThat(record.event.origin).isEqualTo(origin);
            assertThat(record.event.eventTime).isNotEqualTo(SysmonTime.INVALID);
        }
        return record;
    }

    static String abbreviated(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 400), StandardCharsets.UTF_8);
        return line.length > 400 ? text + "... (" + line.length + " bytes)" : text;
    }
}
