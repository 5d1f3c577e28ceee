package dev.sysmoncep.cli;

import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.read.ReadProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The replay's progress on stderr: one line rewritten in place on a terminal, else one line per
 * interval, so a CI log gets a few lines, not thousands. Where the job runs in this JVM, the file
 * readers' own counts give bytes and files out of the total, lines per second and an ETA; on a
 * cluster only the job's accumulators are visible, which the task managers report with their
 * heartbeats, so those lines say how far the job has got, without a total. A batch replay emits
 * each alert once its windows close at the end of the input, so the line says "alerts at end"
 * rather than a count that would stay at zero. With an input on another file system (s3://,
 * hdfs://) there is no total either, and the lines take the cluster's form.
 */
final class ReplayProgress {
    /** Rates over less time than this swing too much to show. */
    private static final double MIN_RATE_SECONDS = 0.5;

    private final PrintWriter err;
    private final boolean inPlace;
    private final InputFiles inputs;
    private final long started = System.nanoTime();
    /** The first line that saw bytes read, and its counts: rates count from there, after Flink's start-up. */
    private long firstSeenAt = -1;
    private ReadProgress.Snapshot firstSeen;
    private long allReadAt = -1;
    private int shownWidth;

    ReplayProgress(PrintWriter err, boolean inPlace, InputFiles inputs) {
        this.err = err;
        this.inPlace = inPlace;
        this.inputs = inputs;
    }

    boolean inPlace() {
        return inPlace;
    }

    /** Whether the input's total is known, so that reading lines can show a percentage. */
    boolean sized() {
        return inputs.sized();
    }

    /** A line from the readers' counts in this JVM, with the matched count from the accumulators. */
    void reading(ReadProgress.Snapshot read, Map<String, Long> accumulators) {
        long now = System.nanoTime();
        if (firstSeenAt < 0 && read.bytes() > 0) {
            firstSeenAt = now;
            firstSeen = read;
        }
        boolean allRead = read.files() >= inputs.files();
        if (allRead && allReadAt < 0) {
            allReadAt = now;
        }
        double readingSeconds = firstSeenAt < 0 ? 0 : ((allRead ? allReadAt : now) - firstSeenAt) / 1e9;
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "replay %5.1f%%  ", percent(read.bytes())));
        line.append(Human.bytes(read.bytes())).append(" of ").append(Human.bytes(inputs.bytes()));
        line.append("  files ").append(read.files()).append(" of ").append(inputs.files());
        line.append("  ").append(Human.count(read.lines())).append(" lines");
        if (readingSeconds >= MIN_RATE_SECONDS) {
            line.append("  ").append(Human.perSecond((read.lines() - firstSeen.lines()) / readingSeconds))
                    .append(" lines/s");
        }
        line.append("  dead-lettered ").append(Human.count(read.deadLetters()));
        Long matched = accumulators.get(JobCounters.EVENTS_MATCHED);
        if (matched != null) {
            line.append("  matched ").append(Human.count(matched));
        }
        line.append("  alerts at end");
        if (allRead) {
            line.append("  all read, detecting");
        } else if (readingSeconds >= MIN_RATE_SECONDS && read.bytes() > firstSeen.bytes()) {
            double bytesPerSecond = (read.bytes() - firstSeen.bytes()) / readingSeconds;
            long remaining = Math.max(0, inputs.bytes() - read.bytes());
            line.append("  ETA ").append(Human.elapsed(Duration.ofMillis((long) (1000 * remaining / bytesPerSecond))));
        } else {
            line.append(firstSeenAt < 0 ? "  starting" : "  ETA --");
        }
        show(line.toString());
    }

    /** A line from the accumulators alone, for a job on a cluster. */
    void running(Map<String, Long> accumulators) {
        StringBuilder line = new StringBuilder("replay running ")
                .append(Human.elapsed(Duration.ofNanos(System.nanoTime() - started)));
        if (accumulators.isEmpty()) {
            line.append("  (no counts from the cluster yet)");
        } else {
            line.append("  ").append(Human.count(count(accumulators, JobCounters.LINES_READ))).append(" lines")
                    .append("  dead-lettered ").append(Human.count(count(accumulators, JobCounters.DEAD_LETTERED)))
                    .append("  matched ").append(Human.count(count(accumulators, JobCounters.EVENTS_MATCHED)))
                    .append("  alerts at end  (")
                    .append(inputs.sized() ? "of " + Human.count(inputs.files()) + " files, " + Human.bytes(inputs.bytes()) + "; " : "")
                    .append("counts lag by a heartbeat)");
        }
        show(line.toString());
    }

    /** The last line: 100%, with the job's final counts. */
    void finished(RunSummary s) {
        long lines = s.count(JobCounters.LINES_READ);
        if (!s.sized()) {
            show(String.format(Locale.ROOT, "replay 100.0%%  %s lines  %s lines/s  dead-lettered %s  matched %s  alerts %s  "
                            + "done in %s",
                    Human.count(lines), Human.perSecond(s.linesPerSecond()), Human.count(s.count(JobCounters.DEAD_LETTERED)),
                    Human.count(s.count(JobCounters.EVENTS_MATCHED)), Human.count(s.count(JobCounters.ALERTS)),
                    Human.elapsed(s.wallTime())));
            end();
            return;
        }
        show(String.format(Locale.ROOT, "replay 100.0%%  %s of %s  files %d of %d  %s lines  %s lines/s  dead-lettered %s  "
                        + "matched %s  alerts %s  done in %s",
                Human.bytes(s.bytes()), Human.bytes(s.bytes()), s.files(), s.files(), Human.count(lines),
                Human.perSecond(s.linesPerSecond()), Human.count(s.count(JobCounters.DEAD_LETTERED)),
                Human.count(s.count(JobCounters.EVENTS_MATCHED)), Human.count(s.count(JobCounters.ALERTS)),
                Human.elapsed(s.wallTime())));
        end();
    }

    /** Ends an in-place line, so that the error message starts on a line of its own. */
    void failed() {
        end();
    }

    private void show(String line) {
        if (inPlace) {
            // Pad over the end of a longer previous line; no escape codes, so any terminal works.
            err.print('\r' + line + " ".repeat(Math.max(0, shownWidth - line.length())));
            shownWidth = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    private void end() {
        if (inPlace && shownWidth > 0) {
            err.println();
            err.flush();
            shownWidth = 0;
        }
    }

    private double percent(long bytes) {
        return inputs.bytes() == 0 ? 0 : Math.min(100.0, 100.0 * bytes / inputs.bytes());
    }

    private static long count(Map<String, Long> accumulators, String name) {
        return accumulators.getOrDefault(name, 0L);
    }
}
