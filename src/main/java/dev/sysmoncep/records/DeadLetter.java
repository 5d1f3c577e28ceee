package dev.sysmoncep.records;

import java.util.regex.Pattern;

/** A line that is not a recognisable event: its bytes (possibly cut), why, and where it came from. */
public class DeadLetter {
    public Origin origin;
    public String reason;
    /** The original bytes, cut to {@link #MAX_KEPT_BYTES}. */
    public byte[] raw;
    /** Length of the original line in bytes, before any cut. */
    public long length;

    /** Enough of a line to see what it was, without letting one hostile line fill a dead-letter topic. */
    public static final int MAX_KEPT_BYTES = 64 * 1024;

    private static final Pattern QUOTED = Pattern.compile("'[^']*'");
    /** Numbers, but not those that are part of a name such as UTF-8. */
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9-])(0x[0-9a-fA-F]+|[0-9]+)");

    public DeadLetter() {}

    public static DeadLetter of(Origin origin, String reason, byte[] buf, int off, int len) {
        DeadLetter d = new DeadLetter();
        d.origin = origin;
        d.reason = reason;
        d.length = len;
        d.raw = java.util.Arrays.copyOfRange(buf, off, off + Math.min(len, MAX_KEPT_BYTES));
        return d;
    }

    /**
     * A line longer than the limit, refused unread wherever it is met (file reader, Kafka record,
     * parser): {@code buf[off, off+kept)} is what is at hand of it, {@code length} its whole length.
     */
    public static SysmonRecord overLimit(Origin origin, long length, int maxLineBytes, byte[] buf, int off, int kept) {
        DeadLetter d = of(origin, "line of " + length + " bytes is over the limit of " + maxLineBytes + " bytes",
                buf, off, kept);
        d.length = length;
        return SysmonRecord.deadLetter(SourceFormat.UNKNOWN, d);
    }

    /**
     * The reason without its particulars (quoted values, numbers, positions), so that lines refused
     * for the same cause count together: "invalid UTF-8 at byte #".
     */
    public static String reasonKind(String reason) {
        if (reason == null) {
            return "(no reason)";
        }
        return NUMBER.matcher(QUOTED.matcher(reason).replaceAll("'...'")).replaceAll("#");
    }

    public boolean truncated() {
        return raw != null && raw.length < length;
    }

    @Override
    public String toString() {
        return "DeadLetter{" + origin + ": " + reason + "}";
    }
}
