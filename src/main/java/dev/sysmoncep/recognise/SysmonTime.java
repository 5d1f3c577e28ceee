package dev.sysmoncep.recognise;

import java.nio.charset.StandardCharsets;

/**
 * Reads the times of Sysmon sources into epoch milliseconds UTC: Sysmon's {@code UtcTime}
 * ("yyyy-MM-dd HH:mm:ss.SSS", in UTC) and every ISO-8601 form a pipeline may have rewritten it to
 * (a {@code T} between date and time, a {@code Z} or an offset after it, up to nine fraction
 * digits), and the records' own timestamps (ISO-8601 with a zone; PowerShell's
 * {@code /Date(ms)/}). Hand-written because it runs for every line, and java.time formatters
 * allocate and throw on the way.
 */
final class SysmonTime {
    /** Returned for text that is not a time of the expected shape or names a day that does not exist. */
    static final long INVALID = Long.MIN_VALUE;

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private SysmonTime() {}

    /** Sysmon's {@code UtcTime}, or any ISO-8601 rewrite of it; without a zone it is UTC, as its name says. */
    static long parseUtcTime(String text) {
        byte[] t = latin1(text);
        return dateTime(t, 0, t.length, true);
    }

    /**
     * The same of the text in {@code buf[from, to)}, UTF-8 or ASCII, once the blanks around it are
     * cut as {@link String#trim} cuts them: read where it lies, without a String (the quick checks). A
     * time is ASCII, so a byte of a multi-byte character is no part of one, as its character is not.
     */
    static long parseUtcTime(byte[] buf, int from, int to) {
        while (from < to && (buf[from] & 0xFF) <= ' ') {
            from++;
        }
        while (to > from && (buf[to - 1] & 0xFF) <= ' ') {
            to--;
        }
        return dateTime(buf, from, to, true);
    }

    /**
     * A record timestamp ({@code @timestamp}, XML {@code SystemTime}, {@code TimeCreated}): ISO-8601
     * with a {@code Z} or an offset, which a record's own time always carries; or PowerShell's
     * {@code /Date(1710234845125)/} of {@code ConvertTo-Json}.
     */
    static long parseRecordTime(String text) {
        byte[] t = latin1(text);
        int length = t.length;
        if (text.startsWith("/Date(") && text.endsWith(")/")) {
            return epochMillis(t, 6, length - 2);
        }
        return dateTime(t, 0, length, false);
    }

    /**
     * The text as bytes, each character no Latin-1 one made a '?' (a surrogate pair one '?', so the
     * bytes can be fewer than the chars): no character of a time, as the character it stands for is
     * not either, so the outcome is the same.
     */
    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * "yyyy-MM-dd?HH:mm:ss[.f{1,9}][zone]" in {@code t[from, to)} with a space or {@code T} between
     * date and time, and as zone {@code Z}, {@code +hh:mm}, {@code +hhmm} or {@code +hh} (or {@code -});
     * a zone must be there unless {@code zoneOptional}.
     */
    private static long dateTime(byte[] t, int from, int to, boolean zoneOptional) {
        if (to - from < 19 || t[from + 4] != '-' || t[from + 7] != '-'
                || (t[from + 10] != ' ' && t[from + 10] != 'T')
                || t[from + 13] != ':' || t[from + 16] != ':') {
            return INVALID;
        }
        int year = digits(t, from, 4);
        int month = digits(t, from + 5, 2);
        int day = digits(t, from + 8, 2);
        int hour = digits(t, from + 11, 2);
        int minute = digits(t, from + 14, 2);
        int second = digits(t, from + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        int i = from + 19;
        int millis = 0;
        if (i < to && t[i] == '.') {
            int fractionStart = ++i;
            while (i < to && t[i] >= '0' && t[i] <= '9') {
                i++;
            }
            int fractionDigits = i - fractionStart;
            if (fractionDigits < 1 || fractionDigits > 9) {
                return INVALID;
            }
            // Milliseconds are the first three fraction digits; finer digits are cut, not rounded.
            millis = switch (fractionDigits) {
                case 1 -> digits(t, fractionStart, 1) * 100;
                case 2 -> digits(t, fractionStart, 2) * 10;
                default -> digits(t, fractionStart, 3);
            };
        }
        int offsetMinutes = 0;
        if (i == to) {
            if (!zoneOptional) {
                return INVALID;
            }
        } else if (t[i] == 'Z' && i + 1 == to) {
            offsetMinutes = 0;
        } else {
            offsetMinutes = offset(t, i, to);
            if (offsetMinutes == Integer.MIN_VALUE) {
                return INVALID;
            }
        }
        long seconds = hour * 3600L + minute * 60L + second - offsetMinutes * 60L;
        return epochDay(year, month, day) * MILLIS_PER_DAY + seconds * 1000L + millis;
    }

    /** Minutes east of UTC of "+hh:mm", "+hhmm" or "+hh" (or "-") filling t[at, to). */
    private static int offset(byte[] t, int at, int to) {
        byte sign = t[at];
        int rest = to - at - 1;
        if (sign != '+' && sign != '-') {
            return Integer.MIN_VALUE;
        }
        int hours = rest >= 2 ? digits(t, at + 1, 2) : -1;
        int minutes = switch (rest) {
            case 2 -> 0;
            case 4 -> digits(t, at + 3, 2);
            case 5 -> t[at + 3] == ':' ? digits(t, at + 4, 2) : -1;
            default -> -1;
        };
        if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) {
            return Integer.MIN_VALUE;
        }
        int total = hours * 60 + minutes;
        return sign == '-' ? -total : total;
    }

    /** Decimal epoch milliseconds in t[from, to), or INVALID. */
    private static long epochMillis(byte[] t, int from, int to) {
        if (to <= from || to - from > 15) {
            return INVALID;
        }
        boolean negative = t[from] == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            int digit = t[i] - '0';
            if (digit < 0 || digit > 9) {
                return INVALID;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /** The value of {@code count} decimal digits at {@code from}, or -1 if any is not a digit. */
    private static int digits(byte[] t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = t[i] - '0';
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
