package dev.sysmoncep.records;

/**
 * What one input line became: a Sysmon event, a record of another channel (skipped, counted), a
 * blank line (counted), or a dead letter; or, as a TALLY, what a run of lines that no rule can match became (see
 * {@link LineTally}). Every line read is in exactly one, so counts add up.
 */
public class SysmonRecord {
    /**
     * TALLY: lines no rule can match, counted where they were read; lines the optional fast path
     * leaves unparsed ({@code CandidateFilter}) are counted there alone, neither checked nor dead-lettered.
     */
    public enum Kind { EVENT, NOT_SYSMON, DEAD_LETTER, TALLY, BLANK }

    public Kind kind;
    public SourceFormat format;
    public SysmonEvent event;
    public DeadLetter deadLetter;
    public LineTally tally;

    public SysmonRecord() {}

    public static SysmonRecord event(SysmonEvent e) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.EVENT;
        r.format = e.format;
        r.event = e;
        return r;
    }

    public static SysmonRecord notSysmon(SourceFormat format) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.NOT_SYSMON;
        r.format = format;
        return r;
    }

    /** A line of blanks only (or nothing): no event and no fault, as an empty line between exports is. */
    public static SysmonRecord blank() {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.BLANK;
        r.format = SourceFormat.UNKNOWN;
        return r;
    }

    public static SysmonRecord tally(LineTally tally) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.TALLY;
        r.format = SourceFormat.UNKNOWN;
        r.tally = tally;
        return r;
    }

    public static SysmonRecord deadLetter(SourceFormat format, DeadLetter d) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.DEAD_LETTER;
        r.format = format;
        r.deadLetter = d;
        return r;
    }

    @Override
    public String toString() {
        return kind + " " + format + " " + (event != null ? event : deadLetter != null ? deadLetter : tally != null ? tally : "");
    }
}
