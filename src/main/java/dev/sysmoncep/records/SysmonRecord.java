package dev.sysmoncep.records;

/**
 * What one input line became: a Sysmon event, a record of another channel (skipped, counted), a
 * blank line (counted), or a dead letter; or, as a TALLY, what a run of lines that no rule can match became (see
 * {@link LineTally}); or, as a CHECKED_EVENT, a well-formed Sysmon event no rule can match, read
 * only for its format and event time. Every line read is in exactly one, so counts add up.
 * A stream that takes its rules from a topic also carries, as RULES, each new version of the rule
 * file between its events: no line, and not counted as one.
 */
public class SysmonRecord {
    /**
     * TALLY: lines no rule can match, counted where they were read; lines the optional fast path
     * leaves unparsed ({@code CandidateFilter}) are counted there alone, neither checked nor dead-lettered.
     * CHECKED_EVENT: a stream's record no rule can match, checked without decoding; it still moves
     * the watermark by its event time.
     * RULES: the rule file version in force from here on ({@link RuleFileVersion}).
     */
    public enum Kind { EVENT, NOT_SYSMON, DEAD_LETTER, TALLY, BLANK, CHECKED_EVENT, RULES }

    public Kind kind;
    public SourceFormat format;
    public SysmonEvent event;
    public DeadLetter deadLetter;
    public LineTally tally;
    /** Of a CHECKED_EVENT: when it happened, epoch milliseconds UTC. */
    public long eventTime;
    public RuleFileVersion rules;

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

    public static SysmonRecord checkedEvent(SourceFormat format, long eventTime) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.CHECKED_EVENT;
        r.format = format;
        r.eventTime = eventTime;
        return r;
    }

    /** The event time of an EVENT or a CHECKED_EVENT; other records have none. */
    public boolean hasEventTime() {
        return kind == Kind.EVENT || kind == Kind.CHECKED_EVENT;
    }

    public long eventTime() {
        return kind == Kind.EVENT ? event.eventTime : eventTime;
    }

    public static SysmonRecord rules(RuleFileVersion rules) {
        SysmonRecord r = new SysmonRecord();
        r.kind = Kind.RULES;
        r.format = SourceFormat.UNKNOWN;
        r.rules = rules;
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
        return kind + " " + format + " " + (event != null ? event : deadLetter != null ? deadLetter : tally != null ? tally : rules != null ? rules : "");
    }
}
