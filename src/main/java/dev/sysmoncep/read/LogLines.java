package dev.sysmoncep.read;

import dev.sysmoncep.records.Origin;
import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of one file as the replay reads them, whatever the file is: plain text in UTF-8 or
 * UTF-16 with any line ends, compressed, the entries of a zip archive, or a JSON array spread over
 * lines (then each element is a "line", as is each event of a line holding an array of them). Each
 * line comes as raw UTF-8 bytes, to be recognised in place, and knows its origin, the place an
 * analyst goes back to.
 */
abstract class LogLines implements AutoCloseable {
    /** Moves to the next line; false at the end. */
    abstract boolean next() throws IOException;

    abstract byte[] lineBuffer();

    abstract int lineOffset();

    abstract int lineLength();

    /** The whole line's length; more than {@link #lineLength()} when it was over the limit and cut. */
    abstract long fullLength();

    abstract boolean overLimit();

    /** Where the current line is: file and line number, entry of an archive, or byte offset. */
    abstract Origin origin();

    /**
     * The byte offset in the file where the next line starts, for a reader of a byte range; for
     * files read whole (compressed, re-encoded, archives, arrays) it is never the range's end.
     */
    abstract long nextLineStart();

    /** Whether the current line holds more records after the current one (the objects of a JSON array line). */
    boolean moreInLine() {
        return false;
    }

    @Override
    public abstract void close() throws IOException;

    /**
     * A file's lines from its start: decompressed by its name ({@code name}, any letter case),
     * re-encoded from UTF-16, its carriage returns taken for line ends, or read value by value when
     * it is a JSON array. {@code source} names it in origins.
     */
    static LogLines whole(InputStream in, String source, String name, int maxLineBytes) throws IOException {
        Compression compression = Compression.of(name);
        if (compression == Compression.ZIP) {
            return new ZipLines(in, source, maxLineBytes);
        }
        TextEncoding.Decoded decoded = TextEncoding.decode(compression != null ? compression.open(in) : in);
        if (decoded.shape() == TextEncoding.Shape.JSON_VALUES) {
            return new JsonValueLines(decoded.stream(), source, maxLineBytes);
        }
        return new TextLines(new LineReader(decoded.stream(), maxLineBytes), decoded.stream(), source, true);
    }
}
