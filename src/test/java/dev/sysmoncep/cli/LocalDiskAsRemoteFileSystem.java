package dev.sysmoncep.cli;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A stand-in for s3:// in tests: {@code replaytest:///tmp/x} is the local /tmp/x, but its scheme is
 * not file, so the replay takes the route of a remote file system (checks through Flink's
 * FileSystem, no local totals, no reading back of the alert file). Registered in
 * META-INF/services of the test classpath, as a Flink plugin registers its factory.
 */
public final class LocalDiskAsRemoteFileSystem implements FileSystemFactory {
    public static final String SCHEME = "replaytest";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return LocalFileSystem.getSharedInstance();
    }
}
