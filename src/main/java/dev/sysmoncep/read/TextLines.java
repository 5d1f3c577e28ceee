package dev.sysmoncep.read;

import dev.sysmoncep.records.Origin;
import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of a text stream, named by line number from the stream's start or by byte offset. A
 * line that holds a JSON array of objects gives each object as a line of its own, named by the line.
 */
final class TextLines extends LogLines {
    private final LineReader lines;
    private final ArrayLineElements elements = new ArrayLineElements();
    private final InputStream stream;
    private final String source;
    /** Whether line numbers are known (the stream starts at the file's start), else lines go by offset. */
    private final boolean numbered;
    private long lineNumber;

    TextLines(LineReader lines, InputStream stream, String source, boolean numbered) {
        this.lines = lines;
        this.stream = stream;
        this.source = source;
        this.numbered = numbered;
    }

    @Override
    boolean next() throws IOException {
        if (elements.next()) {
            return true;
        }
        if (!lines.next()) {
            return false;
        }
        lineNumber++;
        if (!lines.overLimit()) {
            elements.split(lines.lineBuffer(), lines.lineOffset(), lines.lineLength());
        }
        return true;
    }

    @Override
    byte[] lineBuffer() {
        return lines.lineBuffer();
    }

    @Override
    int lineOffset() {
        return elements.inArray() ? elements.offset() : lines.lineOffset();
    }

    @Override
    int lineLength() {
        return elements.inArray() ? elements.length() : lines.lineLength();
    }

    @Override
    long fullLength() {
        return elements.inArray() ? elements.length() : lines.fullLength();
    }

    @Override
    boolean overLimit() {
        return lines.overLimit();
    }

    @Override
    Origin origin() {
        return numbered ? Origin.fileLine(source, lineNumber) : Origin.fileOffset(source, lines.lineStart());
    }

    /** While objects of the current line are left, the next record's line is this one. */
    @Override
    long nextLineStart() {
        return elements.hasMore() ? lines.lineStart() : lines.nextLineStart();
    }

    @Override
    boolean moreInLine() {
        return elements.hasMore();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
