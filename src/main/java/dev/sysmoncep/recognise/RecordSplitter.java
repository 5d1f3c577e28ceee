package dev.sysmoncep.recognise;

import dev.sysmoncep.metrics.BoundedCounts;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.LineTally;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Counts what every line became and splits the records: Sysmon events go on, dead letters leave on
 * {@link #DEAD_LETTERS}, records of other channels, blank lines, tallies and events checked without decoding (which no
 * rule can match) are counted and skipped. A new rule file version (a stream's RULES record, no
 * line) goes on in its place between the events.
 */
public class RecordSplitter extends ProcessFunction<SysmonRecord, SysmonRecord> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    /** Enough kinds of reason for a report's top list; the rest are counted together. */
    private static final int MAX_REASON_KINDS = 50;

    private transient JobCounters.Count linesRead;
    private transient JobCounters.Count eventsParsed;
    private transient JobCounters.Count notSysmon;
    private transient JobCounters.Count blank;
    private transient JobCounters.Count notCandidates;
    private transient JobCounters.Count deadLettered;
    private transient JobCounters.Count[] eventsPerFormat;
    private transient BoundedCounts deadLetterReasons;

    @Override
    public void open(OpenContext openContext) {
        JobCounters counters = new JobCounters(getRuntimeContext());
        linesRead = counters.get(JobCounters.LINES_READ);
        eventsParsed = counters.get(JobCounters.EVENTS_PARSED);
        notSysmon = counters.get(JobCounters.NOT_SYSMON);
        blank = counters.get(JobCounters.BLANK_LINES);
        notCandidates = counters.get(JobCounters.NOT_CANDIDATES);
        deadLettered = counters.get(JobCounters.DEAD_LETTERED);
        eventsPerFormat = new JobCounters.Count[SourceFormat.values().length];
        for (SourceFormat f : SourceFormat.values()) {
            eventsPerFormat[f.ordinal()] = counters.get(JobCounters.EVENTS_PARSED_PREFIX + f.name());
        }
        deadLetterReasons = new BoundedCounts(MAX_REASON_KINDS);
        getRuntimeContext().addAccumulator(JobCounters.DEAD_LETTER_REASONS, deadLetterReasons);
    }

    @Override
    public void processElement(SysmonRecord record, Context ctx, Collector<SysmonRecord> out) {
        if (record.kind == SysmonRecord.Kind.RULES) {
            out.collect(record);
            return;
        }
        linesRead.add(record.kind == SysmonRecord.Kind.TALLY ? record.tally.lines : 1);
        switch (record.kind) {
            case EVENT -> {
                eventsParsed.inc();
                eventsPerFormat[record.event.format.ordinal()].inc();
                out.collect(record);
            }
            case CHECKED_EVENT -> {
                eventsParsed.inc();
                eventsPerFormat[record.format.ordinal()].inc();
            }
            case NOT_SYSMON -> notSysmon.inc();
            case BLANK -> blank.inc();
            case TALLY -> {
                LineTally tally = record.tally;
                eventsParsed.add(tally.events());
                for (SourceFormat f : SourceFormat.values()) {
                    eventsPerFormat[f.ordinal()].add(tally.eventsPerFormat[f.ordinal()]);
                }
                notSysmon.add(tally.notSysmon);
                blank.add(tally.blank);
                notCandidates.add(tally.notCandidates);
            }
            case DEAD_LETTER -> {
                deadLettered.inc();
                deadLetterReasons.add(DeadLetter.reasonKind(record.deadLetter.reason));
                ctx.output(DEAD_LETTERS, record.deadLetter);
            }
        }
    }
}
