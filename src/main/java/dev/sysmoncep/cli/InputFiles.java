package dev.sysmoncep.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.fs.FileSystem;

/**
 * The files a replay will read, found before Flink starts so that a wrong path fails at once and
 * the progress display knows the total. Walks the inputs as Flink's FileSource enumerates them
 * (recursively, following links, skipping every name that starts with '.' or '_'), so the counts
 * are the source's own. An input on another file system (s3://, hdfs://) is only checked to exist,
 * through Flink's FileSystem: listing a bucket to size it could take longer than reading it, so
 * with such an input the totals are not known here ({@link #sized()} is false).
 */
final class InputFiles {
    private static final String HIDDEN_RULE = "names starting with '.' or '_' are skipped as hidden";

    private final List<Path> roots;
    private final List<org.apache.flink.core.fs.Path> remote;
    private final int files;
    private final long bytes;

    private InputFiles(List<Path> roots, List<org.apache.flink.core.fs.Path> remote, int files, long bytes) {
        this.roots = roots;
        this.remote = remote;
        this.files = files;
        this.bytes = bytes;
    }

    /**
     * Local inputs as {@link #scan}; the others checked through Flink's FileSystem.
     *
     * @throws UserError (input) for an input that is missing, hidden, unreadable or holds no file;
     *     (unreachable) for a file system Flink has no plugin for or that does not answer
     */
    static InputFiles check(List<Location> inputs) {
        List<Path> local = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        List<org.apache.flink.core.fs.Path> remote = new ArrayList<>();
        for (Location input : inputs) {
            if (input.isLocal()) {
                local.add(input.local());
                shown.add(input.toString());
            } else {
                remote.add(checkRemote(input));
            }
        }
        InputFiles scanned = scan(local, shown);
        return remote.isEmpty() ? scanned : new InputFiles(scanned.roots, remote, -1, -1);
    }

    private static org.apache.flink.core.fs.Path checkRemote(Location input) {
        org.apache.flink.core.fs.Path path = input.flinkPath();
        if (path.getName().startsWith(".") || path.getName().startsWith("_")) {
            throw UserError.input("input " + input + " would be read as nothing: " + HIDDEN_RULE,
                    "rename it, or copy it under a name without the leading '.' or '_'");
        }
        FileSystem fs = fileSystem(input, "--input");
        boolean exists;
        try {
            exists = fs.exists(path);
        } catch (IOException | RuntimeException e) {
            // Object store clients report refused credentials or an unknown host either way.
            throw UserError.unreachable("file system", input.fileSystem(),
                    "check the address and that Flink's configuration gives its credentials", e);
        }
        if (!exists) {
            throw UserError.input("input " + input + " does not exist", "check the path; --input takes a file or a directory");
        }
        return path;
    }

    /**
     * The file system of a remote location, found through Flink's plugins.
     *
     * @throws UserError (unreachable) when Flink has no plugin for its scheme or cannot open it
     */
    static FileSystem fileSystem(Location location, String option) {
        try {
            return location.flinkPath().getFileSystem();
        } catch (org.apache.flink.core.fs.UnsupportedFileSystemSchemeException e) {
            throw new UserError(UserError.Kind.UNREACHABLE, "file system " + location.fileSystem() + " (of " + option
                    + " " + location + ") cannot be reached: Flink has no file system for the scheme '"
                    + location.flinkPath().toUri().getScheme() + "'",
                    "install its plugin (e.g. flink-s3-fs-hadoop) in Flink's plugins/ directory, or give a local path", e);
        } catch (IOException | RuntimeException e) {
            throw UserError.unreachable("file system", location.fileSystem() + " (of " + option + " " + location + ")",
                    "check the address and that Flink's configuration gives its credentials", e);
        }
    }

    /**
     * @throws UserError (input) for an input that is missing, hidden, unreadable or holds no file
     */
    static InputFiles scan(List<Path> inputs) {
        return scan(inputs, inputs.stream().map(Path::toString).toList());
    }

    /** @param shown each input as the user typed it, for the messages */
    private static InputFiles scan(List<Path> inputs, List<String> shown) {
        List<Path> roots = new ArrayList<>();
        int files = 0;
        long bytes = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Path input = inputs.get(i);
            String typed = shown.get(i);
            // Normalised, so that "." or "logs/." is named after the directory, not taken as hidden.
            Path root = input.toAbsolutePath().normalize();
            if (!Files.exists(root)) {
                boolean brokenLink = Files.exists(root, LinkOption.NOFOLLOW_LINKS);
                throw UserError.input("input " + typed + (brokenLink ? " is a broken symbolic link" : " does not exist"),
                        "check the path; --input takes a file or a directory");
            }
            if (isHidden(root)) {
                throw UserError.input("input " + typed + " would be read as nothing: " + HIDDEN_RULE,
                        "rename it, or copy it under a name without the leading '.' or '_'");
            }
            Totals found = new Totals();
            walk(root, found);
            if (found.files == 0) {
                throw UserError.input("input " + typed + " holds no file to read (" + HIDDEN_RULE + ")",
                        "check the path");
            }
            roots.add(root);
            files += found.files;
            bytes += found.bytes;
        }
        return new InputFiles(roots, List.of(), files, bytes);
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
        List<org.apache.flink.core.fs.Path> all = new ArrayList<>();
        roots.forEach(p -> all.add(new org.apache.flink.core.fs.Path(p.toUri())));
        all.addAll(remote);
        return all.toArray(org.apache.flink.core.fs.Path[]::new);
    }

    /** Whether the totals are known: every input is local. */
    boolean sized() {
        return remote.isEmpty();
    }

    /** The files to read; -1 when not {@link #sized()}. */
    int files() {
        return files;
    }

    /** Their size as stored; -1 when not {@link #sized()}. */
    long bytes() {
        return bytes;
    }
}
