package dev.sysmoncep.read;

import dev.sysmoncep.scan.ByteVectors;
import dev.sysmoncep.scan.ByteWords;
import dev.sysmoncep.scan.VectorSupport;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Splits a byte stream into lines without decoding them: the parser reads the bytes in place.
 * Handles {@code \n} and {@code \r\n}; a line longer than the limit is reported with its first
 * bytes and skipped to its end, so one hostile line cannot take the heap.
 */
public final class LineReader {
    private static final long NEWLINES = ByteWords.repeated('\n');
    private static final boolean VECTORS = VectorSupport.AVAILABLE;

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;

    private byte[] lineBuf;
    private int lineOff;
    private int lineLen;
    private long fullLength;
    /** Stream offset of buf[0]; of the current line's first byte. */
    private long bufStart;
    private long lineStart;

    public LineReader(InputStream in, int maxLineBytes) {
        this(in, maxLineBytes, 0);
    }

    /** Reads a stream whose first byte lies at {@code startOffset} of the file, for {@link #lineStart()}. */
    public LineReader(InputStream in, int maxLineBytes, long startOffset) {
        this.in = in;
        this.bufStart = startOffset;
        this.maxLineBytes = maxLineBytes;
        this.buf = new byte[Math.max(64 * 1024, Math.min(maxLineBytes + 1, 1 << 20))];
    }

    /**
     * Reads the lines of a file that start at or after {@code offset}: seeks to the byte before it
     * and skips the line that byte ends (perhaps just that newline), which belongs to the range before.
     */
    public static LineReader fromOffset(FSDataInputStream file, long offset, int maxLineBytes) throws IOException {
        if (offset == 0) {
            return new LineReader(file, maxLineBytes);
        }
        file.seek(offset - 1);
        LineReader reader = new LineReader(file, maxLineBytes, offset - 1);
        reader.next();
        return reader;
    }

    /** Moves to the next line; false at the end of the stream. */
    public boolean next() throws IOException {
        int scan = pos;
        while (true) {
            int newline = indexOfNewline(scan);
            if (newline >= 0) {
                lineStart = bufStart + pos;
                setLine(buf, pos, newline - pos, newline - pos);
                pos = newline + 1;
                return true;
            }
            int pending = limit - pos;
            lineStart = bufStart + pos;
            if (eof) {
                if (pending == 0) {
                    return false;
                }
                setLine(buf, pos, pending, pending);
                pos = limit;
                return true;
            }
            if (pending > maxLineBytes) {
                skipLongLine();
                return true;
            }
            fill();
            scan = pos + pending;
        }
    }

    private int indexOfNewline(int from) {
        if (VECTORS) {
            return ByteVectors.indexOf(buf, from, limit, (byte) '\n');
        }
        int i = from;
        for (; i + Long.BYTES <= limit; i += Long.BYTES) {
            long found = ByteWords.bytesEqual(ByteWords.word(buf, i), NEWLINES);
            if (found != 0) {
                return i + ByteWords.firstIndex(found);
            }
        }
        for (; i < limit; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Compacts what is left of the buffer, grows it if a line fills it, and reads more. */
    private void fill() throws IOException {
        int pending = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, pending);
            bufStart += pos;
            pos = 0;
            limit = pending;
        }
        if (limit == buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineBytes + 2));
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    /** Keeps the first bytes of an over-long line for the dead letter, and reads past the rest. */
    private void skipLongLine() throws IOException {
        int keep = Math.min(maxLineBytes, 64 * 1024);
        byte[] head = java.util.Arrays.copyOfRange(buf, pos, pos + keep);
        long length = 0;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    length += i - pos;
                    pos = i + 1;
                    setLine(head, 0, head.length, length);
                    return;
                }
            }
            length += limit - pos;
            bufStart += limit;
            pos = 0;
            limit = 0;
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                eof = true;
                setLine(head, 0, head.length, length);
                return;
            }
            limit = n;
        }
    }

    private void setLine(byte[] b, int off, int len, long full) {
        if (len > 0 && b[off + len - 1] == '\r' && full == len) {
            len--;
            full--;
        }
        lineBuf = b;
        lineOff = off;
        lineLen = len;
        fullLength = full;
    }

    public byte[] lineBuffer() {
        return lineBuf;
    }

    public int lineOffset() {
        return lineOff;
    }

    public int lineLength() {
        return lineLen;
    }

    /** Length of the whole line; more than {@link #lineLength()} when it was over the limit. */
    public long fullLength() {
        return fullLength;
    }

    /** Offset in the file of the current line's first byte. */
    public long lineStart() {
        return lineStart;
    }

    /** Offset in the file of the next line's first byte (or of the end). */
    public long nextLineStart() {
        return bufStart + pos;
    }

    public boolean overLimit() {
        return fullLength > maxLineBytes;
    }
}
