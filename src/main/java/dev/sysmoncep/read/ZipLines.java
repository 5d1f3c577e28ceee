package dev.sysmoncep.read;

import dev.sysmoncep.records.Origin;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The lines of every file in a zip archive (OTRF ships its datasets as zips), entry after entry in
 * the archive's order, each read as a file of its own would be (compressed, UTF-16, a JSON array)
 * and named {@code archive.zip!entry} in origins. Directories and hidden entries (a name starting
 * with {@code .} or {@code _}, macOS's {@code __MACOSX/}) are passed over, as hidden files are.
 */
final class ZipLines extends LogLines {
    private final ZipInputStream zip;
    private final String archive;
    private final int maxLineBytes;
    private LogLines entry;

    ZipLines(InputStream in, String archive, int maxLineBytes) {
        this.zip = new ZipInputStream(in);
        this.archive = archive;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    boolean next() throws IOException {
        while (true) {
            if (entry != null && entry.next()) {
                return true;
            }
            ZipEntry e = zip.getNextEntry();
            if (e == null) {
                return false;
            }
            if (!e.isDirectory() && !hidden(e.getName())) {
                entry = LogLines.whole(new EntryStream(zip), archive + "!" + e.getName(), e.getName(), maxLineBytes);
            }
        }
    }

    private static boolean hidden(String name) {
        for (String part : name.split("/")) {
            if (part.startsWith(".") || part.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    @Override
    byte[] lineBuffer() {
        return entry.lineBuffer();
    }

    @Override
    int lineOffset() {
        return entry.lineOffset();
    }

    @Override
    int lineLength() {
        return entry.lineLength();
    }

    @Override
    long fullLength() {
        return entry.fullLength();
    }

    @Override
    boolean overLimit() {
        return entry.overLimit();
    }

    @Override
    Origin origin() {
        return entry.origin();
    }

    @Override
    long nextLineStart() {
        return 0; // read whole, never by byte range
    }

    @Override
    boolean moreInLine() {
        return entry.moreInLine();
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    /** One entry's bytes; closing it leaves the archive open for the next entry. */
    private static final class EntryStream extends FilterInputStream {
        EntryStream(ZipInputStream zip) {
            super(zip);
        }

        @Override
        public void close() {}
    }
}
