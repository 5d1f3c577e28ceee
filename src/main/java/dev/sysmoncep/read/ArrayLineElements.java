package dev.sysmoncep.read;

/**
 * The elements of a line that holds one JSON array of objects ({@code [{...},{...}]}, one array per
 * line, as collectors that batch their events write them), each handed on as a line of its own.
 * Only the structure is scanned (strings, escapes, nesting); the parser reads each element. A line
 * that is no such array (anything after its close, an element that is no object, an array that does
 * not close) stays one line, for the parser to refuse as it is. An empty array holds no event: it
 * is one empty element, which the parser counts as a blank line.
 */
final class ArrayLineElements {
    /** Start and end of each element in the line's buffer. */
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int count;
    /** The current element; count when the line has none (left), or is no array. */
    private int current;

    /** Takes the line {@code buf[off, off+len)}: true, at its first element, if it is an array of objects. */
    boolean split(byte[] buf, int off, int len) {
        count = 0;
        current = 0;
        int end = off + len;
        int i = off;
        if (len >= 3 && (buf[i] & 0xFF) == 0xEF && (buf[i + 1] & 0xFF) == 0xBB && (buf[i + 2] & 0xFF) == 0xBF) {
            i += 3;
        }
        i = skipBlanks(buf, i, end);
        if (i == end || buf[i] != '[') {
            return false;
        }
        int elementStart = ++i;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (; i < end; i++) {
            byte b = buf[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && depth > 0) {
                depth--;
            } else if (b == '}') {
                return none();
            } else if (depth == 0 && (b == ',' || b == ']')) {
                if (!add(buf, elementStart, i, b == ']')) {
                    return none();
                }
                if (b == ']') {
                    return skipBlanks(buf, i + 1, end) == end || none();
                }
                elementStart = i + 1;
            }
        }
        return none(); // never closed
    }

    /** Adds the element in [from, to), blanks trimmed: an object, or an empty array's one empty element; else false. */
    private boolean add(byte[] buf, int from, int to, boolean last) {
        int start = skipBlanks(buf, from, to);
        int stop = to;
        while (stop > start && isBlank(buf[stop - 1])) {
            stop--;
        }
        boolean emptyArray = start == stop && last && count == 0;
        if (!emptyArray && (start == stop || buf[start] != '{')) {
            return false;
        }
        if (count == starts.length) {
            starts = java.util.Arrays.copyOf(starts, count * 2);
            ends = java.util.Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = stop;
        count++;
        return true;
    }

    private boolean none() {
        count = 0;
        current = 0;
        return false;
    }

    /** Moves to the line's next element; false when there is none. */
    boolean next() {
        if (current + 1 >= count) {
            current = count;
            return false;
        }
        current++;
        return true;
    }

    /** Whether the current record is an element of the line (else it is the whole line). */
    boolean inArray() {
        return current < count;
    }

    /** Whether elements of the line follow the current one. */
    boolean hasMore() {
        return current + 1 < count;
    }

    int offset() {
        return starts[current];
    }

    int length() {
        return ends[current] - starts[current];
    }

    private static int skipBlanks(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && isBlank(buf[i])) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
