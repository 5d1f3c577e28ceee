package dev.sysmoncep.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a replay will read, found before Flink starts so that a wrong path fails at once and
 * the progress display knows the total. Walks the inputs as Flink's FileSource enumerates them
 * (recursively, following links, skipping every name that starts with '.' or '_'), so the counts
 * are the source's own.
 */
final class InputFiles {
    private static final String HIDDEN_RULE = "names starting with '.' or '_' are skipped as hidden";

    private final List<Path> roots;
    private final int files;
    private final long bytes;

    private InputFiles(List<Path> roots, int files, long bytes) {
        this.roots = roots;
        this.files = files;
        this.bytes = bytes;
    }

    /**
     * @throws UserError (input) for an input that is missing, hidden, unreadable or holds no file
     */
    static InputFiles scan(List<Path> inputs) {
        List<Path> roots = new ArrayList<>();
        int files = 0;
        long bytes = 0;
        for (Path input : inputs) {
            // Normalised, so that "." or "logs/." is named after the directory, not taken as hidden.
            Path root = input.toAbsolutePath().normalize();
            if (!Files.exists(root)) {
                boolean brokenLink = Files.exists(root, LinkOption.NOFOLLOW_LINKS);
                throw UserError.input("input " + input + (brokenLink ? " is a broken symbolic link" : " does not exist"),
                        "check the path; --input takes a file or a directory");
            }
            if (isHidden(root)) {
                throw UserError.input("input " + input + " would be read as nothing: " + HIDDEN_RULE,
                        "rename it, or copy it under a name without the leading '.' or '_'");
            }
            Totals found = new Totals();
            walk(root, found);
            if (found.files == 0) {
                throw UserError.input("input " + input + " holds no file to read (" + HIDDEN_RULE + ")",
                        "check the path");
            }
            roots.add(root);
            files += found.files;
            bytes += found.bytes;
        }
        return new InputFiles(roots, files, bytes);
    }

    private static final class Totals {
        int files;
        long bytes;
    }

    private static void walk(Path path, Totals found) {
        if (Files.isDirectory(path)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    if (!isHidden(entry)) {
                        walk(entry, found);
                    }
                }
            } catch (AccessDeniedException e) {
                throw UserError.input("input directory " + path + " cannot be listed (permission denied)",
                        "fix its permissions or leave it out");
            } catch (IOException e) {
                throw UserError.input("input directory " + path + " cannot be listed: " + e.getMessage(),
                        "check the path");
            }
            return;
        }
        if (!Files.isReadable(path)) {
            throw UserError.input("input file " + path + " is not readable (permission denied)",
                    "fix its permissions or leave it out");
        }
        try {
            found.bytes += Files.size(path);
            found.files++;
        } catch (IOException e) {
            throw UserError.input("input file " + path + " cannot be read: " + e.getMessage(), "check the path");
        }
    }

    /** Flink's DefaultFileFilter: a name starting with '.' or '_' is hidden. */
    private static boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && (name.toString().startsWith(".") || name.toString().startsWith("_"));
    }

    /** The inputs as the FileSource takes them. */
    org.apache.flink.core.fs.Path[] sourcePaths() {
        return roots.stream().map(p -> new org.apache.flink.core.fs.Path(p.toUri())).toArray(org.apache.flink.core.fs.Path[]::new);
    }

    int files() {
        return files;
    }

    long bytes() {
        return bytes;
    }
}
