package dev.sysmoncep.recognise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SysmonTimeTest {

    private static long millis(String isoInstant) {
        return Instant.parse(isoInstant).toEpochMilli();
    }

    @Test
    void readsSysmonUtcTime() {
        assertThat(SysmonTime.parseUtcTime("2021-03-24 12:25:12.840")).isEqualTo(millis("2021-03-24T12:25:12.840Z"));
        assertThat(SysmonTime.parseUtcTime("2023-09-05 16:46:33.808")).isEqualTo(millis("2023-09-05T16:46:33.808Z"));
    }

    @Test
    void acceptsFewerFractionDigitsOrNone() {
        assertThat(SysmonTime.parseUtcTime("2021-03-24 12:25:12")).isEqualTo(millis("2021-03-24T12:25:12Z"));
        assertThat(SysmonTime.parseUtcTime("2021-03-24 12:25:12.8")).isEqualTo(millis("2021-03-24T12:25:12.800Z"));
        assertThat(SysmonTime.parseUtcTime("2021-03-24 12:25:12.84")).isEqualTo(millis("2021-03-24T12:25:12.840Z"));
        assertThat(SysmonTime.parseUtcTime("2021-03-24 12:25:12.8409")).isEqualTo(millis("2021-03-24T12:25:12.840Z"));
    }

    @Test
    void agreesWithJavaTimeOverCenturies() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long second = random.nextLong(-2_208_988_800L, 7_258_118_400L); // 1900 .. 2200
            int milli = random.nextInt(1000);
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, milli * 1_000_000, ZoneOffset.UTC);
            String utcTime = String.format("%04d-%02d-%02d %02d:%02d:%02d.%03d", t.getYear(), t.getMonthValue(),
                    t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), milli);
            assertThat(SysmonTime.parseUtcTime(utcTime)).as(utcTime).isEqualTo(second * 1000 + milli);
        }
    }

    /** What pipelines rewrite UtcTime to (Logstash, NiFi, a SIEM's export): every ISO-8601 form reads, zones applied. */
    @Test
    void readsUtcTimeInAnyIso8601Form() {
        long expected = millis("2021-03-24T12:25:12.840Z");
        for (String form : new String[] {"2021-03-24T12:25:12.840", "2021-03-24T12:25:12.840Z", "2021-03-24 12:25:12.840Z",
            "2021-03-24T14:25:12.840+02:00", "2021-03-24T07:25:12.840-0500", "2021-03-24T13:25:12.840+01",
            "2021-03-24T12:25:12.840000000Z", "2021-03-24 12:25:12.840+00:00"}) {
            assertThat(SysmonTime.parseUtcTime(form)).as(form).isEqualTo(expected);
        }
        assertThat(SysmonTime.parseUtcTime("2021-03-24T12:25:12Z")).isEqualTo(millis("2021-03-24T12:25:12Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2021-03-24", "2021-03-24T12:25:12.840Q", "2021-03-24 12:25:12.", "2021-02-29 00:00:00",
        "2021-13-01 00:00:00", "2021-00-10 00:00:00", "2021-04-31 00:00:00", "2021-03-24 24:00:00",
        "2021-03-24 12:60:00", "2021-03-24 12:00:60", "2021-03-24 12:25:12.84x", "2021-03-24 12:25:12.1234567890",
        "21-03-24 12:25:12.840", "2021/03/24 12:25:12.840", " 2021-03-24 12:25:12.840", "2021-03-24 12:25:12,840",
        "２０２１-03-24 12:25:12.840", "2021-03-24T12:25:12.840+25:00", "2021-03-24T12:25:12.840+02:0",
        "2021-03-24T12:25:12.840 Z", "2021-03-24T12:25:12.840ZZ"})
    void refusesWhatIsNotAUtcTime(String text) {
        assertThat(SysmonTime.parseUtcTime(text)).isEqualTo(SysmonTime.INVALID);
    }

    /** The quick checks read a time where it lies in the line's bytes: the same as the trimmed text, in every case. */
    @ParameterizedTest
    @ValueSource(strings = {"2021-03-24 12:25:12.840", "  2021-03-24 12:25:12.840 ", "2021-03-24T14:25:12.840+02:00",
        "2021-03-24T12:25:12.840Z", "", " ", "2021-02-29 00:00:00", "２０２１-03-24 12:25:12.840", "2021-03-24 12:25:12.8é",
        "2021-03-24 12:25:12.840 Z", "2021-03-24\t12:25:12.840", "2021-03-24 12:25:12.1234567890", "é2021-03-24 12:25:12"})
    void readsAUtcTimeFromBytesAsFromItsText(String text) {
        byte[] line = ("{\"UtcTime\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        int from = "{\"UtcTime\":\"".length();
        int to = line.length - 2;
        assertThat(SysmonTime.parseUtcTime(line, from, to)).isEqualTo(SysmonTime.parseUtcTime(text.trim()));
    }

    @Test
    void leapDayExistsInLeapYearsOnly() {
        assertThat(SysmonTime.parseUtcTime("2024-02-29 00:00:00")).isEqualTo(millis("2024-02-29T00:00:00Z"));
        assertThat(SysmonTime.parseUtcTime("2000-02-29 00:00:00")).isEqualTo(millis("2000-02-29T00:00:00Z"));
        assertThat(SysmonTime.parseUtcTime("1900-02-29 00:00:00")).isEqualTo(SysmonTime.INVALID);
    }

    @Test
    void readsRecordTimesInIso8601() {
        assertThat(SysmonTime.parseRecordTime("2023-09-05T09:51:51.552Z")).isEqualTo(millis("2023-09-05T09:51:51.552Z"));
        assertThat(SysmonTime.parseRecordTime("2021-04-19T21:00:18.288457000Z")).isEqualTo(millis("2021-04-19T21:00:18.288Z"));
        assertThat(SysmonTime.parseRecordTime("2021-04-19T21:00:18Z")).isEqualTo(millis("2021-04-19T21:00:18Z"));
        assertThat(SysmonTime.parseRecordTime("2021-04-19T23:00:18.288+02:00")).isEqualTo(millis("2021-04-19T21:00:18.288Z"));
        assertThat(SysmonTime.parseRecordTime("2021-04-19T16:00:18.288457-05:00")).isEqualTo(millis("2021-04-19T21:00:18.288Z"));
        // PowerShell's ConvertTo-Json of Get-WinEvent writes TimeCreated so.
        assertThat(SysmonTime.parseRecordTime("/Date(1618866018288)/")).isEqualTo(millis("2021-04-19T21:00:18.288Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Z", "2021-04-19T21:00:18.288", "2019-12-04 20:49:48",
        "2021-02-30T21:00:18Z", "yesterday", "/Date(abc)/", "/Date()/"})
    void refusesWhatIsNotARecordTime(String text) {
        assertThat(SysmonTime.parseRecordTime(text)).isEqualTo(SysmonTime.INVALID);
    }
}
