package dev.sysmoncep.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * A file or directory option of {@code replay} as the user typed it: a local path, a {@code file:}
 * URI, or the URI of any other file system Flink has a plugin for ({@code s3://bucket/logs/},
 * {@code hdfs://namenode/logs}). A local one is checked, sized and read back on this machine; a
 * remote one only through Flink's {@link org.apache.flink.core.fs.FileSystem}. Messages name it as
 * typed.
 */
public final class Location {
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    /** The picocli converter. */
    public static final class Converter implements ITypeConverter<Location> {
        @Override
        public Location convert(String value) {
            return Location.of(value);
        }
    }

    private final String given;
    /** As Flink reads or writes it, absolute. */
    private final org.apache.flink.core.fs.Path flinkPath;

    private Location(String given, org.apache.flink.core.fs.Path flinkPath) {
        this.given = given;
        this.flinkPath = flinkPath;
    }

    /** A local path is made absolute here, where the user typed it, because the job may use it in another process. */
    public static Location of(String value) {
        return new Location(value, hasScheme(value) ? new org.apache.flink.core.fs.Path(value)
                : new org.apache.flink.core.fs.Path(Paths.get(value).toAbsolutePath().toUri()));
    }

    public static Location of(Path local) {
        return of(local.toString());
    }

    /** On this machine: a plain path or a {@code file:} URI. */
    public boolean isLocal() {
        return "file".equals(flinkPath.toUri().getScheme());
    }

    /**
     * The local path, as typed when it was typed as a path (so messages read as the user wrote it).
     *
     * @throws IllegalStateException for a remote location
     */
    public Path local() {
        if (!isLocal()) {
            throw new IllegalStateException(given + " is not a local path");
        }
        return hasScheme(given) ? Paths.get(flinkPath.toUri()) : Paths.get(given);
    }

    /** Whether the value is a URI with a scheme ({@code s3://...}, {@code file:///...}) rather than a path. */
    static boolean hasScheme(String value) {
        return URI_WITH_SCHEME.matcher(value).matches();
    }

    /** Where Flink finds it: absolute, since the job may run in another process or on another machine. */
    public org.apache.flink.core.fs.Path flinkPath() {
        return flinkPath;
    }

    /** The file system's scheme and authority, e.g. {@code s3://bucket}, for messages. */
    String fileSystem() {
        java.net.URI uri = flinkPath.toUri();
        return uri.getScheme() + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority());
    }

    /** Whether both name the same file. */
    boolean sameAs(Location other) {
        if (isLocal() && other.isLocal()) {
            return local().toAbsolutePath().normalize().equals(other.local().toAbsolutePath().normalize());
        }
        return flinkPath.equals(other.flinkPath);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Location l && given.equals(l.given);
    }

    @Override
    public int hashCode() {
        return Objects.hash(given);
    }

    /** As typed. */
    @Override
    public String toString() {
        return given;
    }
}
