package dev.sysmoncep.read;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What the head of a file says about how to read it, before any line is split: a UTF-16 byte
 * order mark (PowerShell's and Event Viewer's exports), old Mac line ends (a carriage return and
 * never a line feed), or a JSON array spread over lines (a pretty-printed export). The reader then
 * turns UTF-16 into UTF-8 and lone carriage returns into line feeds as it reads, so the parser
 * always sees UTF-8 lines; a JSON array file is read element by element ({@link JsonValueLines}).
 */
final class TextEncoding {
    /** Enough of a file to tell: the first 64 KiB. */
    static final int HEAD_BYTES = 1 << 16;

    enum Shape { LINES, JSON_VALUES }

    /** The file as UTF-8 and its shape. */
    record Decoded(InputStream stream, Shape shape, String encoding) {
        /** Whether the bytes read are not the file's own, so that its byte offsets mean nothing to them. */
        boolean transformed() {
            return !encoding.equals("UTF-8");
        }
    }

    private TextEncoding() {}

    /** Reads the head of {@code in} (without consuming it) and wraps it to give UTF-8 lines. */
    static Decoded decode(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, HEAD_BYTES);
        byte[] head = peek(buffered);
        Charset utf16 = utf16(head);
        if (utf16 != null) {
            Decoded inner = decode(new Utf8FromUtf16(buffered, utf16));
            return new Decoded(inner.stream(), inner.shape(), utf16.name() + (inner.transformed() ? ", " + inner.encoding() : ""));
        }
        if (onlyCarriageReturns(head)) {
            return new Decoded(new LineFeedsForCarriageReturns(buffered), shape(head), "UTF-8 with CR line ends");
        }
        return new Decoded(buffered, shape(head), "UTF-8");
    }

    /** Whether a file that starts with {@code head} can be read in byte ranges: plain UTF-8 lines. */
    static boolean splittable(byte[] head, int length) {
        byte[] h = java.util.Arrays.copyOf(head, length);
        return utf16(h) == null && !onlyCarriageReturns(h) && shape(h) == Shape.LINES;
    }

    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(HEAD_BYTES);
        byte[] head = in.readNBytes(HEAD_BYTES);
        in.reset();
        return head;
    }

    private static Charset utf16(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        return null;
    }

    private static boolean onlyCarriageReturns(byte[] head) {
        boolean carriageReturn = false;
        for (byte b : head) {
            if (b == '\n') {
                return false;
            }
            carriageReturn |= b == '\r';
        }
        return carriageReturn;
    }

    /**
     * A JSON array file: its first character (after a UTF-8 byte order mark and blanks) opens an
     * array that does not close on its first line (a pretty-printed export), or that closes there
     * with nothing after it (a whole export on one line). A first line that is a whole array followed
     * by more lines makes a file of one record per line, whose array lines {@link TextLines} splits.
     */
    private static Shape shape(byte[] head) {
        int i = head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < head.length && isBlank(head[i])) {
            i++;
        }
        if (i == head.length || head[i] != '[') {
            return Shape.LINES;
        }
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (; i < head.length; i++) {
            byte b = head[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '\n') {
                return Shape.JSON_VALUES; // still open at the first line's end
            } else if (b == '"') {
                inString = true;
            } else if (b == '[' || b == '{') {
                depth++;
            } else if ((b == ']' || b == '}') && --depth == 0) {
                break;
            }
        }
        for (i++; i < head.length; i++) {
            if (!isBlank(head[i])) {
                return Shape.LINES;
            }
        }
        // Closed with nothing after it (so far: a head that ends first is a longer export on one line).
        return Shape.JSON_VALUES;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** UTF-16 (its byte order mark dropped) decoded and encoded again as UTF-8; bad surrogates become U+FFFD. */
    static final class Utf8FromUtf16 extends InputStream {
        private final Reader chars;
        private final CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final CharBuffer charBuffer = CharBuffer.allocate(8192);
        private final ByteBuffer bytes = ByteBuffer.allocate(8192 * 3);
        private boolean first = true;
        private boolean eof;

        Utf8FromUtf16(InputStream in, Charset utf16) {
            this.chars = new InputStreamReader(in, utf16.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
            bytes.flip();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!bytes.hasRemaining()) {
                if (eof) {
                    return -1;
                }
                fill();
            }
            int n = Math.min(len, bytes.remaining());
            bytes.get(b, off, n);
            return n;
        }

        /** Decodes more characters and encodes them; a high surrogate at the end waits for its pair. */
        private void fill() throws IOException {
            eof = chars.read(charBuffer) < 0;
            charBuffer.flip();
            if (first && charBuffer.hasRemaining() && charBuffer.get(charBuffer.position()) == '\uFEFF') {
                charBuffer.get();
            }
            first = false;
            bytes.clear();
            encoder.encode(charBuffer, bytes, eof);
            if (eof) {
                encoder.flush(bytes);
            }
            charBuffer.compact();
            bytes.flip();
        }

        @Override
        public void close() throws IOException {
            chars.close();
        }
    }

    /** Old Mac text: each carriage return ends a line, as a line feed does elsewhere. */
    static final class LineFeedsForCarriageReturns extends FilterInputStream {
        LineFeedsForCarriageReturns(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            return b == '\r' ? '\n' : b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            for (int i = off; i < off + Math.max(n, 0); i++) {
                if (b[i] == '\r') {
                    b[i] = '\n';
                }
            }
            return n;
        }
    }
}
