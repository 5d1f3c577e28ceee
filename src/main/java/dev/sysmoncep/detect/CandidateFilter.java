package dev.sysmoncep.detect;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tells, from a line's raw bytes and before any parsing, whether the line can hold an event that
 * some rule matches. Each rule names at least one field whose every pattern contains a literal
 * run (say {@code wermgr.exe}); a line without any rule's run, in any letter case, cannot match
 * that rule in any format. Lines that escape characters ({@code \\u} in JSON, {@code &#} in XML) or
 * hold one of the few non-ASCII characters that Java's case-insensitive matching takes for ASCII
 * letters are always candidates, so the filter never drops a line a rule would match.
 */
public final class CandidateFilter implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Shorter runs would let through most lines and cost a scan for nothing. */
    private static final int MIN_RUN = 4;

    /** Lower-case ASCII needles; null when some rule offers none, and every line is a candidate. */
    private final byte[][] needles;

    private CandidateFilter(byte[][] needles) {
        this.needles = needles;
    }

    public static CandidateFilter of(RuleSet rules) {
        Set<String> all = new LinkedHashSet<>();
        for (EventRule rule : rules.eventRules()) {
            List<String> runs = rule.requiredRuns(MIN_RUN);
            if (runs == null) {
                return new CandidateFilter(null);
            }
            runs.forEach(run -> all.add(run.toLowerCase(Locale.ROOT)));
        }
        return new CandidateFilter(all.stream()
                .map(run -> run.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new));
    }

    /** False when no rule has a literal run to look for: then the filter passes every line. */
    public boolean isSelective() {
        return needles != null;
    }

    public boolean mayMatch(byte[] buf, int off, int len) {
        if (needles == null) {
            return true;
        }
        int end = off + len;
        for (int i = off; i < end; i++) {
            int b = buf[i];
            if (b < 0) {
                if (foldsToAscii(buf, i, end)) {
                    return true;
                }
                continue;
            }
            if (b == '\\' && i + 1 < end) {
                if (buf[i + 1] == 'u') {
                    return true;
                }
                if (buf[i + 1] == '\\') {
                    i++; // an escaped backslash in JSON, not the start of an escape
                    continue;
                }
            }
            if (b == '&' && i + 1 < end && buf[i + 1] == '#') {
                return true;
            }
            int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
            for (byte[] needle : needles) {
                if (lower == needle[0] && startsWithIgnoreCase(buf, i + 1, end, needle)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The UTF-8 lead bytes of the only characters Java's case-insensitive matching can take for
     * ASCII letters: U+0130, U+0131 and U+017F (lead bytes C4, C5) and the Kelvin sign U+212A
     * (E2 84 ..). Other non-ASCII text, such as the (R) in real Product fields, cannot form a needle.
     */
    private static boolean foldsToAscii(byte[] buf, int i, int end) {
        int u = buf[i] & 0xFF;
        return u == 0xC4 || u == 0xC5 || (u == 0xE2 && i + 1 < end && (buf[i + 1] & 0xFF) == 0x84);
    }

    private static boolean startsWithIgnoreCase(byte[] buf, int from, int end, byte[] needle) {
        if (from + needle.length - 1 > end) {
            return false;
        }
        for (int j = 1; j < needle.length; j++) {
            int b = buf[from + j - 1];
            int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
            if (lower != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
