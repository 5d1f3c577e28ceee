package dev.sysmoncep.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A file a replay writes. Checked before Flink starts, by creating and deleting a file in its
 * directory (the only check that holds for root, read-only mounts and ACLs alike). Remembers which
 * file stood there before the run, so that after a failed run it can remove a file the run had
 * already renamed into place: a failed run must not leave output that looks complete.
 */
final class OutputFile {
    private final Path path;
    private final Object fileBefore;

    private OutputFile(Path path, Object fileBefore) {
        this.path = path;
        this.fileBefore = fileBefore;
    }

    /**
     * @param option the option that named the file, for the message
     * @throws UserError (output) for a file that cannot be written
     */
    static OutputFile check(Path file, String option) {
        Path path = file.toAbsolutePath().normalize();
        String fix = "choose another " + option;
        if (Files.isDirectory(path)) {
            throw UserError.output(option + " " + file + " is a directory", "give a file name, e.g. " + file.resolve("alerts.jsonl"));
        }
        Path dir = path.getParent();
        if (!Files.exists(dir)) {
            throw UserError.output("directory " + dir + " (of " + option + " " + file + ") does not exist",
                    "create it (mkdir -p " + dir + ") or " + fix);
        }
        if (!Files.isDirectory(dir)) {
            throw UserError.output(dir + " (of " + option + " " + file + ") is not a directory", fix);
        }
        try {
            Files.delete(Files.createTempFile(dir, ".sysmon-cep-write-check-", ""));
        } catch (AccessDeniedException e) {
            throw UserError.output("cannot write to directory " + dir + " (permission denied)",
                    "fix its permissions or " + fix);
        } catch (IOException e) {
            throw UserError.output("cannot write to directory " + dir + ": " + e.getMessage(), fix);
        }
        return new OutputFile(path, identity(path));
    }

    Path path() {
        return path;
    }

    /** Removes the file if this run put it there (it is not the one that stood there before). */
    boolean removeIfWrittenByThisRun() {
        Object now = identity(path);
        if (now == null || Objects.equals(now, fileBefore)) {
            return false;
        }
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            return false;
        }
    }

    boolean existed() {
        return fileBefore != null;
    }

    /** The file's identity: its inode where the file system has one, else its modification time. */
    private static Object identity(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.lastModifiedTime();
        } catch (IOException noFile) {
            return null;
        }
    }
}
