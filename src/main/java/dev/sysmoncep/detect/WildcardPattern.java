package dev.sysmoncep.detect;

import dev.sysmoncep.records.CaseFold;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A Splunk field value: compared case-insensitively ({@link CaseFold}), {@code *} stands for any
 * run of characters (also none), and the pattern is anchored at both ends, so an entry without
 * {@code *} must equal the whole value. No other character is special: {@code \} and {@code .} are
 * literal.
 */
public final class WildcardPattern implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    /** The literal runs between stars; the first is a prefix and the last a suffix unless a star stands there. */
    private final String[] parts;
    private final boolean hasStar;
    private final boolean leadingStar;
    private final boolean trailingStar;
    private final int minLength;

    private WildcardPattern(String source) {
        this.source = source;
        List<String> runs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= source.length(); i++) {
            if (i == source.length() || source.charAt(i) == '*') {
                if (i > start) {
                    runs.add(source.substring(start, i));
                }
                start = i + 1;
            }
        }
        this.parts = runs.toArray(new String[0]);
        this.hasStar = source.indexOf('*') >= 0;
        this.leadingStar = source.startsWith("*");
        this.trailingStar = source.endsWith("*");
        this.minLength = runs.stream().mapToInt(String::length).sum();
    }

    public static WildcardPattern of(String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("a pattern cannot be null");
        }
        return new WildcardPattern(pattern);
    }

    public boolean matches(String value) {
        if (value == null || value.length() < minLength) {
            return false;
        }
        if (!hasStar) {
            return CaseFold.equals(value, source);
        }
        if (parts.length == 0) {
            return true;
        }
        int from = 0;
        int end = value.length();
        int first = 0;
        int last = parts.length - 1;
        if (!leadingStar) {
            if (!CaseFold.regionMatches(value, 0, parts[0], 0, parts[0].length())) {
                return false;
            }
            from = parts[0].length();
            first = 1;
        }
        if (!trailingStar && last >= first) {
            String suffix = parts[last];
            int at = end - suffix.length();
            if (at < from || !CaseFold.regionMatches(value, at, suffix, 0, suffix.length())) {
                return false;
            }
            end = at;
            last--;
        }
        for (int p = first; p <= last; p++) {
            int at = indexOfIgnoreCase(value, parts[p], from, end);
            if (at < 0) {
                return false;
            }
            from = at + parts[p].length();
        }
        return true;
    }

    private static int indexOfIgnoreCase(String value, String run, int from, int end) {
        for (int i = from; i + run.length() <= end; i++) {
            if (CaseFold.regionMatches(value, i, run, 0, run.length())) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return source;
    }
}
