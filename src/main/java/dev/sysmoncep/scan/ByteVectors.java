package dev.sysmoncep.scan;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The line splitter's, the candidate filter's and the quick checks' scans a whole vector register
 * at a time (32 or 64 bytes with AVX2 or AVX-512), through Java's Vector API. The API is an
 * incubator module that the JVM resolves only when started with
 * {@code --add-modules jdk.incubator.vector}; without it {@link ByteWords} does the same work eight
 * bytes at a time. Callers ask {@link VectorSupport#AVAILABLE}, never this class, whose loading
 * fails without the module.
 */
public final class ByteVectors {
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    /** Bytes looked at per step. */
    public static final int BLOCK = SPECIES.length();
    /** At most 64 lanes, so that a comparison's mask fits in a {@code long}. */
    private static final VectorSpecies<Byte> MARK_SPECIES = BLOCK > Long.SIZE ? ByteVector.SPECIES_512 : SPECIES;
    private static final LongVector BYTE_SHIFTS = LongVector.fromArray(MARK_SPECIES.withLanes(long.class),
            new long[] {0, 8, 16, 24, 32, 40, 48, 56}, 0);

    private ByteVectors() {}

    /** Index of the first {@code b} in {@code buf[from, to)}, or -1. */
    public static int indexOf(byte[] buf, int from, int to, byte b) {
        int i = from;
        for (; i + BLOCK <= to; i += BLOCK) {
            VectorMask<Byte> found = ByteVector.fromArray(SPECIES, buf, i).eq(b);
            if (found.anyTrue()) {
                return i + found.firstTrue();
            }
        }
        for (; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Index of the first byte in {@code buf[from, to)} that is not printable ASCII (a control
     * byte below 0x20, or any byte of a multi-byte UTF-8 character), or {@code to}.
     */
    public static int skipPrintableAscii(byte[] buf, int from, int to) {
        int i = from;
        for (; i + BLOCK <= to; i += BLOCK) {
            // As signed bytes, everything from 0x80 up is negative, so one comparison finds both kinds.
            VectorMask<Byte> found = ByteVector.fromArray(SPECIES, buf, i).lt((byte) 0x20);
            if (found.anyTrue()) {
                return i + found.firstTrue();
            }
        }
        for (; i < to; i++) {
            if (buf[i] < 0x20) {
                return i;
            }
        }
        return to;
    }

    /**
     * Skips whole blocks of {@code buf} from {@code from} in which no position {@code p} holds a
     * byte that is not ASCII or begins one of the pairs: for some k, {@code (buf[p] | firstCase[k])
     * == first[k]} and {@code (buf[p+1] | secondCase[k]) == second[k]} (a case bit of 0x20 makes a
     * letter match in either case).
     *
     * @return the start of the first block where such a position may be, {@link #BLOCK} long; or,
     *     when fewer than {@code BLOCK + 1} bytes remain before {@code end}, where they begin
     */
    public static int skipPlainBlocks(byte[] buf, int from, int end,
            byte[] first, byte[] firstCase, byte[] second, byte[] secondCase) {
        int i = from;
        for (; i + BLOCK + 1 <= end; i += BLOCK) {
            ByteVector at = ByteVector.fromArray(SPECIES, buf, i);
            ByteVector next = ByteVector.fromArray(SPECIES, buf, i + 1);
            VectorMask<Byte> found = at.lt((byte) 0);
            for (int k = 0; k < first.length; k++) {
                found = found.or(at.or(firstCase[k]).eq(first[k]).and(next.or(secondCase[k]).eq(second[k])));
            }
            if (found.anyTrue()) {
                return i;
            }
        }
        return i;
    }

    /** {@link ByteWords#mark}, a vector register at a time; the same bits. */
    public static void mark(Stops kind, byte[] buf, int from, int to, long[] bits) {
        int lanes = MARK_SPECIES.length();
        int i = from;
        int w = 0;
        for (; i + Long.SIZE <= to; i += Long.SIZE, w++) {
            long marks = 0;
            for (int k = 0; k < Long.SIZE; k += lanes) {
                ByteVector v = ByteVector.fromArray(MARK_SPECIES, buf, i + k);
                marks |= toLong(kind == Stops.JSON_STRING ? jsonStringStops(v) : xmlTextStops(v)) << k;
            }
            bits[w] = marks;
        }
        if (i < to) {
            bits[w] = ByteWords.stops(kind, buf, i, to);
        }
    }

    private static VectorMask<Byte> jsonStringStops(ByteVector v) {
        // Controls are below 0x20 and not negative (the bytes of multi-byte characters are).
        return v.eq((byte) '"').or(v.eq((byte) '\\')).or(v.lt((byte) 0x20).andNot(v.lt((byte) 0)));
    }

    private static VectorMask<Byte> xmlTextStops(ByteVector v) {
        return v.lt((byte) 0x20).or(v.eq((byte) '"')).or(v.eq((byte) '\'')).or(v.eq((byte) '<'))
                .or(v.eq((byte) '&')).or(v.eq((byte) ']'));
    }

    /**
     * The mask's bits, the first lane lowest, as {@code VectorMask.toLong} gives them: JDK 17 does
     * not compile that to an instruction, so each eight lanes' flags are gathered into a byte by the
     * multiplication of {@link ByteWords#GATHER_FLAGS}, and the bytes put side by side.
     */
    private static long toLong(VectorMask<Byte> mask) {
        LongVector flags = ByteVector.zero(MARK_SPECIES).blend((byte) 1, mask).reinterpretAsLongs();
        return flags.mul(ByteWords.GATHER_FLAGS).lanewise(VectorOperators.LSHR, 56)
                .lanewise(VectorOperators.LSHL, BYTE_SHIFTS).reduceLanes(VectorOperators.OR);
    }
}
