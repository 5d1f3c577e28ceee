package dev.sysmoncep.cli;

import java.time.Duration;
import java.util.Locale;

/** Numbers, sizes and durations as the progress line, the report and the rule table print them. */
final class Human {
    private Human() {}

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Decimal units, as disks and network links are sold: 1.2 GB. */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = n;
        int unit = -1;
        while (v >= 1000 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[unit]);
    }

    /** A rate per second, rounded to whole units. */
    static String perSecond(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    /** An elapsed or remaining time, rounded: 4.2s, 2m10s, 1h05m. */
    static String elapsed(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** A window exactly, in the largest unit that divides it, as --sequence-window takes it: 1h, 90m, 500ms. */
    static String window(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms != 0 && ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
