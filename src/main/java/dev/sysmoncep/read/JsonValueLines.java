package dev.sysmoncep.read;

import dev.sysmoncep.records.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A JSON file read value by value instead of line by line: the elements of top-level arrays (a
 * pretty-printed export, {@code Get-WinEvent | ConvertTo-Json}, an Elastic export) and any object
 * at the top level, each handed on as one "line" of raw bytes, named by the line it starts on.
 * Only the structure is scanned here (strings, escapes, nesting); the parser reads each value. A
 * value longer than the limit is handed on cut, with its whole length, and skipped to its end.
 * Anything else at the top level runs to the end of its line and is handed on as it is, so the
 * parser refuses it with its reason.
 */
final class JsonValueLines extends LogLines {
    private final InputStream in;
    private final String source;
    private final int maxLineBytes;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    /** Line number of buf[pos]. */
    private long line = 1;
    /** Nesting of top-level arrays the scan is inside (values of a top-level array are its elements). */
    private int arrayDepth;

    /** Where the value being read starts in buf, and how many of its bytes past the limit were dropped. */
    private int start;
    private long skipped;

    private byte[] value;
    private int valueOff;
    private int valueLen;
    private long valueFullLength;
    private long valueLine;

    JsonValueLines(InputStream in, String source, int maxLineBytes) {
        this.in = in;
        this.source = source;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    boolean next() throws IOException {
        while (true) {
            if (!skipSeparators()) {
                return false;
            }
            byte b = buf[pos];
            if (b == '[' && arrayDepth == 0) {
                pos++;
                arrayDepth = 1;
                continue;
            }
            if (b == ']' && arrayDepth > 0) {
                pos++;
                arrayDepth = 0;
                continue;
            }
            valueLine = line;
            if (b == '{' || b == '[' || b == '"' || arrayDepth > 0) {
                readValue();
            } else {
                readRestOfLine();
            }
            return true;
        }
    }

    /** Skips blanks, a UTF-8 byte order mark, and the commas between elements; false at the end. */
    private boolean skipSeparators() throws IOException {
        while (true) {
            if (pos == limit && !fill()) {
                return false;
            }
            byte b = buf[pos];
            if (b == '\n') {
                line++;
            } else if (!(b == ' ' || b == '\t' || b == '\r' || (b == ',' && arrayDepth > 0) || (b & 0xFF) == 0xEF
                    || (b & 0xFF) == 0xBB || (b & 0xFF) == 0xBF)) {
                return true;
            }
            pos++;
        }
    }

    /**
     * One JSON value from buf[pos]: an object or array to its matching close, a string to its end
     * quote, a scalar to the next comma, close or blank outside a string.
     */
    private void readValue() throws IOException {
        boolean structured = buf[pos] == '{' || buf[pos] == '[';
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        start = pos;
        skipped = 0;
        int i = pos;
        while (true) {
            if (i == limit) {
                i = more(i);
                if (i < 0) {
                    i = limit;
                    break;
                }
                continue;
            }
            byte b = buf[i];
            if (!inString && depth == 0 && !structured
                    && (b == ',' || b == ']' || b == '}' || b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
                break; // the end of a scalar, left for the separators
            }
            i++;
            if (b == '\n') {
                line++;
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                    if (!structured) {
                        break;
                    }
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                break;
            }
        }
        setValue(i);
    }

    /** Something that is no JSON value at the top level: the rest of its line, for the parser to refuse. */
    private void readRestOfLine() throws IOException {
        start = pos;
        skipped = 0;
        int i = pos;
        while (true) {
            if (i == limit) {
                i = more(i);
                if (i < 0) {
                    i = limit;
                    break;
                }
                continue;
            }
            if (buf[i] == '\n') {
                break;
            }
            i++;
        }
        setValue(i);
    }

    /**
     * More bytes for the value that starts at {@link #start}, scanned up to {@code i}: the value is
     * moved to the buffer's start first, and past the limit only its head is kept. Returns where the
     * scan goes on, or -1 at the end of the input.
     */
    private int more(int i) throws IOException {
        int head = Math.min(maxLineBytes, 64 * 1024);
        if (i - start > maxLineBytes) {
            skipped += i - start - head;
            limit = start + head;
            i = limit;
        }
        int shift = start;
        if (!fill(start)) {
            return -1;
        }
        start = 0;
        return i - shift;
    }

    private void setValue(int end) {
        value = buf;
        valueOff = start;
        valueLen = end - start;
        valueFullLength = valueLen + skipped;
        pos = end;
    }

    /** Reads more, moving the bytes from {@code keepFrom} on to the buffer's start first; false at the end. */
    private boolean fill(int keepFrom) throws IOException {
        if (eof) {
            return false;
        }
        int kept = limit - keepFrom;
        if (keepFrom > 0) {
            System.arraycopy(buf, keepFrom, buf, 0, kept);
            pos = Math.max(0, pos - keepFrom);
            limit = kept;
        }
        if (limit == buf.length) {
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineBytes + 2));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    private boolean fill() throws IOException {
        return fill(pos);
    }

    @Override
    byte[] lineBuffer() {
        return value;
    }

    @Override
    int lineOffset() {
        return valueOff;
    }

    @Override
    int lineLength() {
        return valueLen;
    }

    @Override
    long fullLength() {
        return valueFullLength;
    }

    @Override
    boolean overLimit() {
        return valueFullLength > maxLineBytes;
    }

    @Override
    Origin origin() {
        return Origin.fileLine(source, valueLine);
    }

    @Override
    long nextLineStart() {
        return 0; // read whole, never by byte range
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
