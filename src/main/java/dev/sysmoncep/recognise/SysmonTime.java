package dev.sysmoncep.recognise;

import java.time.DateTimeException;
import java.time.OffsetDateTime;

/**
 * Reads the two time shapes of Sysmon sources into epoch milliseconds UTC. Hand-written because
 * it runs for every line, and java.time formatters allocate and throw on the way.
 */
final class SysmonTime {
    /** Returned for text that is not a time of the expected shape or names a day that does not exist. */
    static final long INVALID = Long.MIN_VALUE;

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private SysmonTime() {}

    /** Sysmon's {@code UtcTime}: "yyyy-MM-dd HH:mm:ss.SSS" in UTC; fewer fraction digits or none are accepted. */
    static long parseUtcTime(String text) {
        return dateTime(text, text.length(), ' ');
    }

    /**
     * A record timestamp in ISO-8601 ({@code @timestamp}, XML {@code SystemTime}): "Z" times of any
     * fraction length go the fast way, times with an offset such as +02:00 through java.time.
     */
    static long parseRecordTime(String text) {
        int last = text.length() - 1;
        if (last > 0 && text.charAt(last) == 'Z') {
            long millis = dateTime(text, last, 'T');
            if (millis != INVALID) {
                return millis;
            }
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            return INVALID;
        }
    }

    /** "yyyy-MM-dd?HH:mm:ss[.f{1,9}]" filling text[0, end), with {@code separator} between date and time. */
    private static long dateTime(String text, int end, char separator) {
        if (end < 19 || end == 20 || end > 29
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != separator
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return INVALID;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        int millis = 0;
        if (end > 19) {
            int fractionDigits = end - 20;
            if (text.charAt(19) != '.' || digits(text, 20, fractionDigits) < 0) {
                return INVALID;
            }
            // Milliseconds are the first three fraction digits; finer digits are cut, not rounded.
            millis = switch (fractionDigits) {
                case 1 -> digits(text, 20, 1) * 100;
                case 2 -> digits(text, 20, 2) * 10;
                default -> digits(text, 20, 3);
            };
        }
        long seconds = hour * 3600L + minute * 60L + second;
        return epochDay(year, month, day) * MILLIS_PER_DAY + seconds * 1000L + millis;
    }

    /** The value of {@code count} decimal digits at {@code from}, or -1 if any is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468L;
    }
}
