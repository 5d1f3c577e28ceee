package dev.sysmoncep.records;

/**
 * What a run of lines became, counted where they were read instead of sent on one record each:
 * the replay's file reader folds in every line no rule can match (left unparsed, parsed into an
 * event, or of another channel), so the job moves a few records per thousand lines. Dead letters
 * and lines some rule may match still travel on their own.
 */
public class LineTally {
    public long lines;
    /** Events parsed, by {@link SourceFormat} ordinal. */
    public long[] eventsPerFormat = new long[SourceFormat.values().length];
    public long notSysmon;
    public long blank;
    public long notCandidates;

    public LineTally() {}

    /** Counts a line that became {@code record}: an event, a record of another channel or a blank line. */
    public void add(SysmonRecord record) {
        add(record.kind, record.kind == SysmonRecord.Kind.EVENT ? record.event.format : null);
    }

    /** Counts a line found to be of {@code kind} without being parsed into a record. */
    public void add(SysmonRecord.Kind kind, SourceFormat format) {
        lines++;
        switch (kind) {
            case EVENT -> eventsPerFormat[format.ordinal()]++;
            case NOT_SYSMON -> notSysmon++;
            case BLANK -> blank++;
            default -> throw new IllegalArgumentException("a " + kind + " is not tallied");
        }
    }

    /** Counts a line left unparsed. */
    public void addUnparsed() {
        lines++;
        notCandidates++;
    }

    public long events() {
        long sum = 0;
        for (long n : eventsPerFormat) {
            sum += n;
        }
        return sum;
    }

    @Override
    public String toString() {
        return lines + " lines";
    }
}
