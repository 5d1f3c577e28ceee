package dev.sysmoncep.generate;

import java.time.LocalDate;

/**
 * Writes times the way Sysmon and its collectors do, without a DateTimeFormatter per value: the
 * generator writes hundreds of thousands of lines a second, and their times share a day.
 * Not thread-safe: one per writer.
 */
final class TimeText {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private long cachedDay = Long.MIN_VALUE;
    private String cachedDate;

    /** Sysmon's {@code UtcTime}: {@code 2024-03-12 09:14:21.442}. */
    void appendUtcTime(StringBuilder out, long epochMillis) {
        appendDateTime(out, epochMillis, ' ');
    }

    /** ISO-8601 in milliseconds: {@code 2024-03-12T09:14:21.442Z}. */
    void appendIsoMillis(StringBuilder out, long epochMillis) {
        appendDateTime(out, epochMillis, 'T');
        out.append('Z');
    }

    /**
     * Windows' {@code SystemTime}: nine fraction digits of which the last two are always 0, as the
     * event log keeps 100 ns ticks ({@code 2021-04-19T21:00:18.288457000Z}).
     */
    void appendSystemTime(StringBuilder out, long epochMillis, int ticksWithinMilli) {
        appendDateTime(out, epochMillis, 'T');
        appendPadded(out, ticksWithinMilli, 4);
        out.append("00Z");
    }

    private void appendDateTime(StringBuilder out, long epochMillis, char separator) {
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        if (day != cachedDay) {
            cachedDay = day;
            cachedDate = LocalDate.ofEpochDay(day).toString();
        }
        int millisOfDay = (int) (epochMillis - day * MILLIS_PER_DAY);
        out.append(cachedDate).append(separator);
        appendPadded(out, millisOfDay / 3_600_000, 2);
        out.append(':');
        appendPadded(out, millisOfDay / 60_000 % 60, 2);
        out.append(':');
        appendPadded(out, millisOfDay / 1000 % 60, 2);
        out.append('.');
        appendPadded(out, millisOfDay % 1000, 3);
    }

    private static void appendPadded(StringBuilder out, int value, int width) {
        for (int divisor = pow10(width - 1); divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
    }

    private static int pow10(int exponent) {
        int p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= 10;
        }
        return p;
    }
}
