package dev.sysmoncep.detect;

import dev.sysmoncep.read.LineFilter;
import dev.sysmoncep.scan.ByteVectors;
import dev.sysmoncep.scan.ByteWords;
import dev.sysmoncep.scan.VectorSupport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tells, from a line's raw bytes and before any parsing, whether the line can hold an event that
 * some rule matches. Each rule names at least one field whose every pattern contains a literal
 * run (say {@code wermgr.exe}); a line without any rule's run, in any letter case, cannot match
 * that rule in any format. Lines that escape characters ({@code \\u} in JSON, {@code &#} in XML),
 * that hold XML markup a value's text may run across ({@code <!--} comments, {@code <![CDATA[}
 * sections, both starting {@code <!}), or one of the two non-ASCII characters whose lower case is
 * an ASCII letter (which matching therefore takes for it, {@code CaseFold}) are always candidates,
 * so the filter never drops a line a rule would match.
 */
public final class CandidateFilter implements LineFilter {
    private static final long serialVersionUID = 1L;
    /** Shorter runs would let through most lines and cost a scan for nothing. */
    private static final int MIN_RUN = 4;

    private static final long BACKSLASHES = ByteWords.repeated('\\');
    private static final long LETTER_US = ByteWords.repeated('u');
    private static final long AMPERSANDS = ByteWords.repeated('&');
    private static final long HASHES = ByteWords.repeated('#');
    private static final long LESS_THANS = ByteWords.repeated('<');
    private static final long BANGS = ByteWords.repeated('!');
    private static final boolean VECTORS = VectorSupport.AVAILABLE;

    /** Lower-case ASCII needles; null when some rule offers none, and every line is a candidate. */
    private final byte[][] needles;
    /** Per needle, its first and second byte repeated over a word, and whether each is a letter. */
    private final long[] firstBytes;
    private final long[] secondBytes;
    private final long[] firstCaseBits;
    private final long[] secondCaseBits;
    /**
     * For {@link ByteVectors#skipPlainBlocks}: the pairs that may start something worth a look,
     * every needle's first two bytes, the escapes {@code \\u} and {@code &#} and XML's {@code <!}, with case bits.
     */
    private final byte[] pairFirsts;
    private final byte[] pairFirstCases;
    private final byte[] pairSeconds;
    private final byte[] pairSecondCases;
    /** The first needle's, copied out of the arrays: the bundled rules have one, and this is the inner loop. */
    private final long first;
    private final long second;
    private final long firstCase;
    private final long secondCase;

    private CandidateFilter(byte[][] needles) {
        this.needles = needles;
        int n = needles == null ? 0 : needles.length;
        this.firstBytes = new long[n];
        this.secondBytes = new long[n];
        this.firstCaseBits = new long[n];
        this.secondCaseBits = new long[n];
        for (int k = 0; k < n; k++) {
            firstBytes[k] = ByteWords.repeated(needles[k][0]);
            secondBytes[k] = ByteWords.repeated(needles[k][1]);
            firstCaseBits[k] = ByteWords.repeated(caseBits(needles[k][0]));
            secondCaseBits[k] = ByteWords.repeated(caseBits(needles[k][1]));
        }
        this.pairFirsts = new byte[n + 3];
        this.pairFirstCases = new byte[n + 3];
        this.pairSeconds = new byte[n + 3];
        this.pairSecondCases = new byte[n + 3];
        for (int k = 0; k < n; k++) {
            pairFirsts[k] = needles[k][0];
            pairFirstCases[k] = (byte) caseBits(needles[k][0]);
            pairSeconds[k] = needles[k][1];
            pairSecondCases[k] = (byte) caseBits(needles[k][1]);
        }
        pairFirsts[n] = '\\';
        pairSeconds[n] = 'u';
        pairFirsts[n + 1] = '&';
        pairSeconds[n + 1] = '#';
        pairFirsts[n + 2] = '<';
        pairSeconds[n + 2] = '!';
        this.first = n == 0 ? 0 : firstBytes[0];
        this.second = n == 0 ? 0 : secondBytes[0];
        this.firstCase = n == 0 ? 0 : firstCaseBits[0];
        this.secondCase = n == 0 ? 0 : secondCaseBits[0];
    }

    /** Setting the case bit makes a letter equal its lower case and changes no other byte into one. */
    private static int caseBits(byte lower) {
        return lower >= 'a' && lower <= 'z' ? 0x20 : 0;
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

    @Override
    public boolean mayMatch(byte[] buf, int off, int len) {
        if (needles == null) {
            return true;
        }
        int end = off + len;
        int i = off;
        if (VECTORS) {
            // Whole blocks where nothing may start are passed over; the others get the word-wise look.
            while ((i = ByteVectors.skipPlainBlocks(buf, i, end, pairFirsts, pairFirstCases, pairSeconds, pairSecondCases))
                    + ByteVectors.BLOCK + 1 <= end) {
                if (mayStartWithin(buf, off, i, i + ByteVectors.BLOCK, end)) {
                    return true;
                }
                i += ByteVectors.BLOCK;
            }
        }
        return mayStartWithin(buf, off, i, end, end);
    }

    /** Whether a match may start at a position in {@code [from, to)} of the line {@code [lineStart, end)}. */
    private boolean mayStartWithin(byte[] buf, int lineStart, int from, int to, int end) {
        int i = from;
        // Eight positions at a time (reading one byte ahead), look only where something may start.
        for (; i + Long.BYTES <= to && i + Long.BYTES + 1 <= end; i += Long.BYTES) {
            long found = noteworthy(ByteWords.word(buf, i), ByteWords.word(buf, i + 1));
            while (found != 0) {
                if (mayStartAt(buf, lineStart, i + ByteWords.firstIndex(found), end)) {
                    return true;
                }
                found &= found - 1;
            }
        }
        for (; i < to; i++) {
            if (mayStartAt(buf, lineStart, i, end)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The positions among eight (bytes of {@code word}, each followed by the same byte of {@code next})
     * where a needle, a JSON {@code \\u}, an XML {@code &#} or {@code <!}, or a non-ASCII byte may start.
     */
    private long noteworthy(long word, long next) {
        long found = (word & ByteWords.HIGH_BITS)
                | ByteWords.bytesEqual(word, BACKSLASHES) & ByteWords.bytesEqual(next, LETTER_US)
                | ByteWords.bytesEqual(word, AMPERSANDS) & ByteWords.bytesEqual(next, HASHES)
                | ByteWords.bytesEqual(word, LESS_THANS) & ByteWords.bytesEqual(next, BANGS)
                | ByteWords.bytesEqual(word | firstCase, first) & ByteWords.bytesEqual(next | secondCase, second);
        for (int k = 1; k < firstBytes.length; k++) {
            found |= ByteWords.bytesEqual(word | firstCaseBits[k], firstBytes[k])
                    & ByteWords.bytesEqual(next | secondCaseBits[k], secondBytes[k]);
        }
        return found;
    }

    /** Whether the line may hold a match because of what starts at {@code i}. */
    private boolean mayStartAt(byte[] buf, int lineStart, int i, int end) {
        int b = buf[i];
        if (b < 0) {
            return foldsToAscii(buf, i, end);
        }
        if (b == '\\') {
            return i + 1 < end && buf[i + 1] == 'u' && !escaped(buf, lineStart, i);
        }
        if (b == '&') {
            return i + 1 < end && buf[i + 1] == '#';
        }
        if (b == '<') {
            return i + 1 < end && buf[i + 1] == '!';
        }
        int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
        for (byte[] needle : needles) {
            if (lower == needle[0] && startsWithIgnoreCase(buf, i + 1, end, needle)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the backslash at {@code i} is itself escaped: an odd run of backslashes before it. */
    private static boolean escaped(byte[] buf, int lineStart, int i) {
        int run = 0;
        for (int k = i - 1; k >= lineStart && buf[k] == '\\'; k--) {
            run++;
        }
        return (run & 1) == 1;
    }

    /**
     * Whether the UTF-8 at {@code i} is one of the only characters whose lower case is an ASCII
     * letter: U+0130, capital I with dot (C4 B0), and the Kelvin sign U+212A (E2 84 AA). Other
     * non-ASCII text, such as the (R) in real Product fields or a dotless ı, cannot form a needle.
     */
    private static boolean foldsToAscii(byte[] buf, int i, int end) {
        int u = buf[i] & 0xFF;
        return u == 0xC4 && i + 1 < end && (buf[i + 1] & 0xFF) == 0xB0
                || u == 0xE2 && i + 2 < end && (buf[i + 1] & 0xFF) == 0x84 && (buf[i + 2] & 0xFF) == 0xAA;
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
