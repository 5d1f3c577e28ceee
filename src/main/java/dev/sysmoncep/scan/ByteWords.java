package dev.sysmoncep.scan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Looks at raw bytes eight at a time ("SIMD within a register"): the line splitter, the UTF-8
 * check and the candidate filter read every byte of the input, and testing a whole {@code long}
 * for the few bytes they care about costs a handful of instructions instead of eight branches.
 * A mask has {@code 0x80} in each byte that was found; {@link #firstIndex} gives the first one.
 */
public final class ByteWords {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;
    public static final long HIGH_BITS = 0x8080808080808080L;
    /** Added to a byte's low seven bits, sets its high bit exactly when they are 0x20 or more. */
    private static final long TO_PRINTABLE = 0x6060606060606060L;
    /**
     * Multiplied by a word whose bytes are 0 or 1, puts byte k's value in bit 56 + k: each byte's
     * product lands in a bit of its own, so nothing carries.
     */
    public static final long GATHER_FLAGS = 0x0102040810204080L;
    private static final long QUOTES = repeated('"');
    private static final long BACKSLASHES = repeated('\\');
    private static final long APOSTROPHES = repeated('\'');
    private static final long LESS_THAN = repeated('<');
    private static final long AMPERSANDS = repeated('&');
    private static final long BRACKETS = repeated(']');

    private ByteWords() {}

    /** Bytes {@code [i, i+8)} of {@code buf}, the first in the lowest bits. */
    public static long word(byte[] buf, int i) {
        return (long) LONGS.get(buf, i);
    }

    /** {@code b} in every byte of a word, for {@link #bytesEqual}. */
    public static long repeated(int b) {
        return (b & 0xFFL) * 0x0101010101010101L;
    }

    /** The bytes of {@code word} equal to the byte repeated in {@code pattern}; exact, no false hits. */
    public static long bytesEqual(long word, long pattern) {
        long x = word ^ pattern;
        return ~(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN);
    }

    /** The bytes that are not ASCII or are ASCII controls (below 0x20). */
    public static long notPrintableAscii(long word) {
        return (word | ~((word & LOW_SEVEN) + TO_PRINTABLE)) & HIGH_BITS;
    }

    /** Index (0..7) within the word of the first byte found in a non-zero mask. */
    public static int firstIndex(long mask) {
        return Long.numberOfTrailingZeros(mask) >>> 3;
    }

    /** Marks the stops of {@code kind} in {@code buf[from, to)} into {@code bits}, eight bytes at a time. */
    public static void mark(Stops kind, byte[] buf, int from, int to, long[] bits) {
        int i = from;
        int w = 0;
        for (; i + Long.SIZE <= to; i += Long.SIZE, w++) {
            long marks = 0;
            for (int k = 0; k < Long.SIZE; k += Long.BYTES) {
                long word = word(buf, i + k);
                long found = kind == Stops.JSON_STRING ? jsonStringStops(word) : xmlTextStops(word);
                marks |= highBitsToBits(found) << k;
            }
            bits[w] = marks;
        }
        if (i < to) {
            bits[w] = stops(kind, buf, i, to);
        }
    }

    /** The stops of fewer than 64 bytes {@code buf[from, to)}, as bits from the lowest. */
    static long stops(Stops kind, byte[] buf, int from, int to) {
        long marks = 0;
        for (int j = from; j < to; j++) {
            if (kind.stopsAt(buf[j])) {
                marks |= 1L << (j - from);
            }
        }
        return marks;
    }

    private static long jsonStringStops(long word) {
        long controls = ~((word & LOW_SEVEN) + TO_PRINTABLE) & ~word & HIGH_BITS;
        return bytesEqual(word, QUOTES) | bytesEqual(word, BACKSLASHES) | controls;
    }

    private static long xmlTextStops(long word) {
        return notPrintableAscii(word) | bytesEqual(word, QUOTES) | bytesEqual(word, APOSTROPHES)
                | bytesEqual(word, LESS_THAN) | bytesEqual(word, AMPERSANDS) | bytesEqual(word, BRACKETS);
    }

    /** A mask's eight byte flags (0x80 in a byte) as eight bits, the first byte's lowest. */
    private static long highBitsToBits(long mask) {
        return ((mask >>> 7) * GATHER_FLAGS) >>> 56;
    }
}
