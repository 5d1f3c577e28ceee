package dev.sysmoncep.sink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes one line per record to a single local file, for a bounded (replay) job run with this sink
 * at parallelism 1. Lines go to a hidden temporary file beside the target, which is renamed onto
 * the target only when the input has ended: a failed or cancelled run never leaves output that
 * looks complete.
 */
public final class LineFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Renders one record as one line (no line break inside). */
    public interface LineRenderer<T> extends Function<T, String>, Serializable {}

    private final String target;
    private final LineRenderer<T> renderer;

    public LineFileSink(Path target, LineRenderer<T> renderer) {
        this.target = target.toAbsolutePath().toString();
        this.renderer = renderer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
            throw new IllegalStateException("LineFileSink writes one file and must run at parallelism 1");
        }
        return new Writer<>(Path.of(target), renderer);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Path target;
        private final Path temporary;
        private final LineRenderer<T> renderer;
        private final BufferedWriter out;
        private boolean done;

        Writer(Path target, LineRenderer<T> renderer) throws IOException {
            this.target = target;
            this.renderer = renderer;
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            this.temporary = dir.resolve("." + target.getFileName() + ".inprogress-" + UUID.randomUUID());
            this.out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8);
        }

        @Override
        public void write(T element, Context context) throws IOException {
            out.write(renderer.apply(element));
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
            if (endOfInput && !done) {
                out.close();
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                done = true;
            }
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                out.close();
                Files.deleteIfExists(temporary);
            }
        }
    }
}
