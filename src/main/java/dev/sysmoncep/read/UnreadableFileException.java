package dev.sysmoncep.read;

import java.io.IOException;
import org.apache.flink.core.fs.Path;

/**
 * A file that could not be read to its end: gone since the run started, a corrupt or truncated
 * archive, an I/O error. Names the file and how far reading got, so the user can fix or drop it.
 */
public class UnreadableFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;

    public UnreadableFileException(Path path, long linesRead, IOException cause) {
        this(displayName(path), linesRead, cause);
    }

    private UnreadableFileException(String file, long linesRead, IOException cause) {
        super(file + " could not be read" + (linesRead > 0 ? " after line " + linesRead : "") + ": " + describe(cause), cause);
        this.file = file;
    }

    /** A local file by its path, as the user typed it; others with their scheme (s3://...). */
    private static String displayName(Path path) {
        return "file".equals(path.toUri().getScheme()) ? path.toUri().getPath() : path.toString();
    }

    /** The file, as a local path or a URI. */
    public String file() {
        return file;
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
