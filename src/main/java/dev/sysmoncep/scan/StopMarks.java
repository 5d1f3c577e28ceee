package dev.sysmoncep.scan;

/**
 * A line's {@link Stops}, marked in one pass over it (a vector register at a time where the Vector
 * API is there), so that a quick check crosses a run of plain bytes a word of marks (64 bytes) at
 * a time instead of testing each byte or each eight: Message fields and XML text are long.
 */
public final class StopMarks {
    private static final boolean VECTORS = VectorSupport.AVAILABLE;

    private final Stops kind;
    private long[] bits = new long[32];
    private int words;
    private int start;
    private int end;

    public StopMarks(Stops kind) {
        this.kind = kind;
    }

    /** Marks the stops of {@code buf[from, to)}, forgetting the line before. */
    public void mark(byte[] buf, int from, int to) {
        start = from;
        end = to;
        words = (to - from + Long.SIZE - 1) >>> 6;
        if (words > bits.length) {
            bits = new long[Math.max(words, bits.length * 2)];
        }
        if (VECTORS) {
            ByteVectors.mark(kind, buf, from, to, bits);
        } else {
            ByteWords.mark(kind, buf, from, to, bits);
        }
    }

    /** The first stop at or after {@code i} (within the line marked), or the line's end if none. */
    public int next(int i) {
        int offset = i - start;
        int w = offset >>> 6;
        if (w >= words) {
            return end;
        }
        long marks = bits[w] & (-1L << offset);
        while (marks == 0) {
            if (++w == words) {
                return end;
            }
            marks = bits[w];
        }
        return start + (w << 6) + Long.numberOfTrailingZeros(marks);
    }
}
