package dev.sysmoncep.read;

import dev.sysmoncep.records.Origin;
import java.io.IOException;
import java.io.InputStream;

/** The lines of a text stream, named by line number from the stream's start or by byte offset. */
final class TextLines extends LogLines {
    private final LineReader lines;
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
        if (!lines.next()) {
            return false;
        }
        lineNumber++;
        return true;
    }

    @Override
    byte[] lineBuffer() {
        return lines.lineBuffer();
    }

    @Override
    int lineOffset() {
        return lines.lineOffset();
    }

    @Override
    int lineLength() {
        return lines.lineLength();
    }

    @Override
    long fullLength() {
        return lines.fullLength();
    }

    @Override
    boolean overLimit() {
        return lines.overLimit();
    }

    @Override
    Origin origin() {
        return numbered ? Origin.fileLine(source, lineNumber) : Origin.fileOffset(source, lines.lineStart());
    }

    @Override
    long nextLineStart() {
        return lines.nextLineStart();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
