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
}
