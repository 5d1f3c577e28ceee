package dev.sysmoncep.sink;

import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where records go that have no output of their own (dead letters or late events when no topic is
 * given): into the log, sampled, so they are never dropped unseen yet a flood of them cannot flood
 * the log. Each subtask logs its first {@value #LOGGED_IN_FULL} records, then at most one a minute
 * with the number passed over since the last. They are counted before they get here.
 */
public final class SampledLogSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SampledLogSink.class);
    static final int LOGGED_IN_FULL = 10;
    private static final long INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();
    private static final int MAX_LOGGED_CHARS = 1000;

    private final String what;
    private final LineFileSink.LineRenderer<T> renderer;

    /**
     * @param what the records' name in the log, plural ("dead letters")
     * @param renderer one line for a record; cut to {@value #MAX_LOGGED_CHARS} characters
     */
    public SampledLogSink(String what, LineFileSink.LineRenderer<T> renderer) {
        this.what = what;
        this.renderer = renderer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer();
    }

    private final class Writer implements SinkWriter<T> {
        private long seen;
        private long passedOver;
        private long lastLogged;

        @Override
        public void write(T element, Context context) {
            seen++;
            long now = System.nanoTime();
            if (seen <= LOGGED_IN_FULL) {
                LOG.warn("{} (no topic for them; {} of the first {} logged in full): {}", what, seen, LOGGED_IN_FULL,
                        line(element));
                lastLogged = now;
            } else if (now - lastLogged >= INTERVAL_NANOS) {
                LOG.warn("{}: {} more since the last one logged ({} in all here); the latest: {}", what, passedOver + 1,
                        seen, line(element));
                passedOver = 0;
                lastLogged = now;
            } else {
                passedOver++;
            }
        }

        private String line(T element) {
            String line = renderer.apply(element);
            return line.length() <= MAX_LOGGED_CHARS ? line : line.substring(0, MAX_LOGGED_CHARS) + "...";
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {
            if (passedOver > 0) {
                LOG.warn("{}: {} more since the last one logged ({} in all here)", what, passedOver, seen);
            }
        }
    }
}
