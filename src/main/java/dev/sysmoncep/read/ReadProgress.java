package dev.sysmoncep.read;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How far the file readers of one run have got, for a progress display in the same JVM (the
 * launcher's embedded Flink). The launcher registers the run before it starts the job and reads
 * the counts while it runs; readers find it by the run's id. On a cluster the readers run in other
 * JVMs, find nothing and count nothing. Readers add once per batch, so the cost is a few adds per
 * batch of {@value SysmonFileFormat#BATCH_LINES} lines.
 */
public final class ReadProgress implements AutoCloseable {
    private static final Map<String, ReadProgress> RUNS = new ConcurrentHashMap<>();

    private final String runId;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder lines = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();
    private final LongAdder files = new LongAdder();
    private final Map<String, Long> splitBytesDone = new ConcurrentHashMap<>();

    private ReadProgress(String runId) {
        this.runId = runId;
    }

    /** Registers a run whose readers will count here until {@link #close()}. */
    public static ReadProgress start(String runId) {
        ReadProgress progress = new ReadProgress(runId);
        if (RUNS.putIfAbsent(runId, progress) != null) {
            throw new IllegalStateException("run " + runId + " is already registered");
        }
        return progress;
    }

    /** The run's counts if it was registered in this JVM, else null. */
    static ReadProgress of(String runId) {
        return runId == null ? null : RUNS.get(runId);
    }

    void batchRead(long bytesRead, long linesRead, long eventsRead, long deadLettersRead) {
        bytes.add(bytesRead);
        lines.add(linesRead);
        events.add(eventsRead);
        deadLetters.add(deadLettersRead);
    }

    /** A reader has read its split of a file; the file counts as read once all its splits are. */
    void splitDone(String file, long splitBytes, long fileBytes) {
        long done = splitBytesDone.merge(file, splitBytes, Long::sum);
        if (done >= fileBytes) {
            files.increment();
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(bytes.sum(), files.sum(), lines.sum(), events.sum(), deadLetters.sum());
    }

    @Override
    public void close() {
        RUNS.remove(runId, this);
    }

    /**
     * Counts at one moment. Bytes are those consumed from the files as stored (compressed bytes
     * for a .gz), so they compare with the files' sizes.
     */
    public record Snapshot(long bytes, long files, long lines, long events, long deadLetters) {}
}
