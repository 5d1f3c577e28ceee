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
 *
 * <p>A file on another file system (s3://, hdfs://) is checked through Flink's FileSystem: that the
 * file system answers and the name is not a directory. Its directory need not exist (object stores
 * have none; the sink creates it). Its modification time tells whether a failed run replaced it.
 */
final class OutputFile {
    private final Location location;
    /** The local file, absolute; null for a remote one. */
    private final Path path;
    private final Object fileBefore;

    private OutputFile(Location location, Path path, Object fileBefore) {
        this.location = location;
        this.path = path;
        this.fileBefore = fileBefore;
    }

    /**
     * @param option the option that named the file, for the message
     * @throws UserError (output) for a file that cannot be written; (unreachable) for a file system
     *     that Flink cannot reach
     */
    static OutputFile check(Location file, String option) {
        if (file.isLocal()) {
            OutputFile local = check(file.local(), option);
            return new OutputFile(file, local.path, local.fileBefore);
        }
        org.apache.flink.core.fs.FileSystem fs = InputFiles.fileSystem(file, option);
        org.apache.flink.core.fs.Path target = file.flinkPath();
        org.apache.flink.core.fs.FileStatus status;
        try {
            status = fs.exists(target) ? fs.getFileStatus(target) : null;
        } catch (IOException | RuntimeException e) {
            // Object store clients report refused credentials or an unknown host either way.
            throw UserError.unreachable("file system", file.fileSystem() + " (of " + option + " " + file + ")",
                    "check the address and that Flink's configuration gives its credentials", e);
        }
        if (status == null) {
            return new OutputFile(file, null, null);
        }
        if (status.isDir()) {
            throw UserError.output(option + " " + file + " is a directory",
                    "give a file name, e.g. " + new org.apache.flink.core.fs.Path(target, "alerts.jsonl"));
        }
        return new OutputFile(file, null, status.getModificationTime());
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
        return new OutputFile(Location.of(file), path, identity(path));
    }

    /** Where the sink writes it. */
    org.apache.flink.core.fs.Path flinkPath() {
        return path != null ? new org.apache.flink.core.fs.Path(path.toUri()) : location.flinkPath();
    }

    boolean sameFileAs(OutputFile other) {
        return path != null && other.path != null ? path.equals(other.path) : location.sameAs(other.location);
    }

    /** Whether a file stands there now. */
    boolean exists() {
        return (path != null ? identity(path) : remoteIdentity()) != null;
    }

    /** Removes the file if this run put it there (it is not the one that stood there before). */
    boolean removeIfWrittenByThisRun() {
        if (path == null) {
            Object now = remoteIdentity();
            if (now == null || Objects.equals(now, fileBefore)) {
                return false;
            }
            try {
                return location.flinkPath().getFileSystem().delete(location.flinkPath(), false);
            } catch (IOException e) {
                return false;
            }
        }
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

    /** A remote file's modification time; null when there is none or it cannot be told. */
    private Object remoteIdentity() {
        try {
            org.apache.flink.core.fs.FileSystem fs = location.flinkPath().getFileSystem();
            return fs.exists(location.flinkPath()) ? fs.getFileStatus(location.flinkPath()).getModificationTime() : null;
        } catch (IOException e) {
            return null;
        }
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
