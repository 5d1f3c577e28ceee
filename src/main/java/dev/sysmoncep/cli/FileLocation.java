package dev.sysmoncep.cli;

import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.ITypeConverter;

/**
 * A file or directory option: a local path, or the URI of any file system Flink has a plugin for
 * ({@code s3://bucket/logs/}, {@code hdfs://namenode/logs}). A local path is made absolute here,
 * where the user typed it, because the job may read or write it in another process.
 */
public final class FileLocation implements ITypeConverter<Path> {
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    @Override
    public Path convert(String value) {
        return parse(value);
    }

    public static Path parse(String value) {
        if (hasScheme(value)) {
            return new Path(value);
        }
        return new Path(Paths.get(value).toAbsolutePath().toUri());
    }

    /** Whether the value is a URI with a scheme ({@code s3://...}, {@code file:///...}) rather than a path. */
    public static boolean hasScheme(String value) {
        return URI_WITH_SCHEME.matcher(value).matches();
    }

    public static boolean isLocal(Path location) {
        return "file".equals(location.toUri().getScheme());
    }

    /** As a user would write it: a local path without its file: scheme. */
    public static String display(Path location) {
        return isLocal(location) ? location.toUri().getPath() : location.toString();
    }
}
