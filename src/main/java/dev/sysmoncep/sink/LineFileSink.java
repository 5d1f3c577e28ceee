package dev.sysmoncep.sink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;

/**
 * Writes one line per record to a single file, for a bounded (replay) job run with this sink at
 * parallelism 1. The file may be local or on any file system Flink has a plugin for (s3://,
 * hdfs://, ...): on a cluster the writer runs on a TaskManager, so the target must be where the
 * user can reach it, shared storage or object storage.
 *
 * <p>Lines go to a hidden temporary file beside the target, which is renamed onto the target only
 * when the input has ended, so a failed or cancelled run never leaves output that looks complete.
 * A local rename replaces the target atomically. Where a file system refuses to rename onto an
 * existing file (HDFS, S3A), the old target is deleted first: for a moment there is no output, never
 * a partial one. Object stores rename by copying; the temporary object becomes visible only when
 * its upload completes at the end of input, and the copy is a single server-side operation, so the
 * target still appears whole or not at all.
 */
public final class LineFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Renders one record as one line (no line break inside), or null for a record the file leaves out. */
    public interface LineRenderer<T> extends Function<T, String>, Serializable {}

    private final Path target;
    private final LineRenderer<T> renderer;

    /** The target must be absolute (with a scheme, or a local path): it is resolved on a TaskManager. */
    public LineFileSink(Path target, LineRenderer<T> renderer) {
        if (!target.isAbsolute()) {
            throw new IllegalArgumentException("LineFileSink needs an absolute target, not " + target);
        }
        this.target = target;
        this.renderer = renderer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
            throw new IllegalStateException("LineFileSink writes one file and must run at parallelism 1");
        }
        return new Writer<>(target, renderer);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final FileSystem fs;
        private final Path target;
        private final Path temporary;
        private final LineRenderer<T> renderer;
        private final BufferedWriter out;
        private boolean done;

        Writer(Path target, LineRenderer<T> renderer) throws IOException {
            this.fs = target.getFileSystem();
            this.target = target;
            this.renderer = renderer;
            fs.mkdirs(target.getParent());
            this.temporary = new Path(target.getParent(), "." + target.getName() + ".inprogress-" + UUID.randomUUID());
            FSDataOutputStream stream = fs.create(temporary, WriteMode.NO_OVERWRITE);
            this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
        }

        @Override
        public void write(T element, Context context) throws IOException {
            String line = renderer.apply(element);
            if (line != null) {
                out.write(line);
                out.write('\n');
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
            if (endOfInput && !done) {
                out.close();
                publish();
                done = true;
            }
        }

        private void publish() throws IOException {
            if (fs.rename(temporary, target)) {
                return;
            }
            if (fs.exists(target) && fs.delete(target, false) && fs.rename(temporary, target)) {
                return;
            }
            throw new IOException("Could not rename " + temporary + " to " + target);
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                out.close();
                fs.delete(temporary, false);
            }
        }
    }
}
