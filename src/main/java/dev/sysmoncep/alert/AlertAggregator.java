package dev.sysmoncep.alert;

import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.SequenceMatches;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.metrics.JobCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Aggregates the findings of one rule and group (the key) into alerts, as Splunk's
 * {@code stats min(_time) max(_time) count by ...} does, one alert per suppression window: the first
 * finding opens an alert, findings within the window after it join it, a later one opens the next
 * ({@link AlertWindows}).
 *
 * <p>Findings are taken in event time order whatever order they arrive in: each waits in
 * {@code pending} until the watermark passes its time. In streaming an alert leaves as soon as it
 * opens and again, in its final state, when its window closes; a batch replay emits each alert once,
 * final.
 *
 * <p>With an allowed lateness, a finding that comes behind the watermark is not lost: the
 * aggregator keeps the findings and context of every window a late event can still reach, builds
 * the group's windows again with the late one, and sends what changed at once, marked late. Where
 * the late finding moves a window's start, the alert under the old id is sent retracted and the
 * replay's alert takes its place. A sequence's aggregator that gets a late part of its process can
 * no longer trust the CEP matches made without it; from then on it matches the process's parts
 * itself ({@link SequenceMatches}, the same matches CEP makes).
 */
public class AlertAggregator extends KeyedProcessFunction<String, Finding, Alert> {
    private static final long serialVersionUID = 1L;

    /** Every finding of a sequence part, naming the alert it joined, for the sequence detector. */
    public static final OutputTag<Finding> ATTRIBUTED_FINDINGS =
            new OutputTag<>("attributed-findings", TypeInformation.of(Finding.class));

    private final long suppressionMillis;
    private final boolean emitOnOpen;
    private final Set<String> sequencePartRules;
    /** How far before a sequence alert's first sequence what its process did belongs to it; 0 for rule alerts. */
    private final long contextMillis;
    private final long allowedLatenessMillis;
    /** The sequence whose matches this aggregates; null for a rule's aggregator. */
    private final SequenceRule sequence;

    /** Findings waiting for the watermark, by event time; an entry goes when the watermark passes it. */
    private transient MapState<Long, List<Finding>> pending;
    /**
     * Context findings (what the process did: its pipes and lookups) by event time, for a sequence
     * alert that opens after them: kept one context span, and with an allowed lateness as long as a
     * late event can still reach an alert they belong to.
     */
    private transient MapState<Long, List<Finding>> recentContext;
    /** The alert open for this group; cleared when its window closes. */
    private transient ValueState<Alert> open;
    /** With an allowed lateness: the findings of the windows a late event can still reach, by event time. */
    private transient MapState<Long, List<Finding>> settled;
    /** With an allowed lateness: the closed alerts a late event can still change, by window start. */
    private transient MapState<Long, Alert> closed;
    /** Sequence: since a late part came, this aggregator matches the process's parts itself. */
    private transient ValueState<Boolean> matchesParts;
    private transient JobCounters counters;

    /** Aggregates a rule's findings; those of {@code sequencePartRules} also go to the sequence detector. */
    public AlertAggregator(long suppressionMillis, boolean emitOnOpen, Set<String> sequencePartRules,
                           long allowedLatenessMillis) {
        this(suppressionMillis, emitOnOpen, sequencePartRules, 0, allowedLatenessMillis, null);
    }

    /**
     * Aggregates a sequence's completed matches, and lists in each sequence alert what its process did
     * from the sequence window before the alert's first sequence to the end of its window: every
     * pipe, query and contributing alert of the context findings in that time.
     */
    public static AlertAggregator forSequence(SequenceRule sequence, long suppressionMillis, boolean emitOnOpen,
                                              long sequenceWindowMillis, long allowedLatenessMillis) {
        return new AlertAggregator(suppressionMillis, emitOnOpen, Set.of(), sequenceWindowMillis,
                allowedLatenessMillis, sequence);
    }

    private AlertAggregator(long suppressionMillis, boolean emitOnOpen, Set<String> sequencePartRules,
                            long contextMillis, long allowedLatenessMillis, SequenceRule sequence) {
        this.suppressionMillis = suppressionMillis;
        this.emitOnOpen = emitOnOpen;
        this.sequencePartRules = new TreeSet<>(sequencePartRules);
        this.contextMillis = contextMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.sequence = sequence;
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<List<Finding>> findings = Types.LIST(TypeInformation.of(Finding.class));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, findings));
        open = getRuntimeContext().getState(new ValueStateDescriptor<>("open", TypeInformation.of(Alert.class)));
        recentContext = getRuntimeContext().getMapState(new MapStateDescriptor<>("recent-context", Types.LONG, findings));
        settled = getRuntimeContext().getMapState(new MapStateDescriptor<>("settled-findings", Types.LONG, findings));
        closed = getRuntimeContext().getMapState(new MapStateDescriptor<>("closed-alerts", Types.LONG,
                TypeInformation.of(Alert.class)));
        matchesParts = getRuntimeContext().getState(new ValueStateDescriptor<>("matches-parts", Types.BOOLEAN));
        counters = new JobCounters(getRuntimeContext());
    }

    @Override
    public void processElement(Finding finding, Context ctx, Collector<Alert> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (allowedLatenessMillis > 0 && finding.time <= watermark) {
            admitLate(finding, watermark, ctx, out);
            return;
        }
        if (sequence != null && allowedLatenessMillis > 0 && finding.context && finding.late) {
            // Late where it was attributed, so perhaps late for the sequence's CEP, which then never saw it.
            matchPartsFromNowOn();
        }
        if (!finding.context && Boolean.TRUE.equals(matchesParts.value())) {
            return; // made by CEP without the late part: this aggregator's own matching stands in for it
        }
        add(pending, finding);
        ctx.timerService().registerEventTimeTimer(finding.time);
        // Every window starts at some finding's time, so a timer one window after each finding
        // closes every window. Registered here, not when the window opens in onTimer: a batch
        // job ignores timers registered while its timers fire at the end of a key.
        ctx.timerService().registerEventTimeTimer(finding.time + suppressionMillis);
        if (finding.context) {
            ctx.timerService().registerEventTimeTimer(finding.time + contextMillis); // when it is too old to join
        }
        if (allowedLatenessMillis > 0) {
            registerForgetting(finding.time, ctx);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Alert alert = open.value();
        if (alert != null && timestamp >= alert.windowStart + suppressionMillis) {
            close(alert, out);
            alert = null;
        }
        List<Finding> due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            due = latestWordOnEach(due);
            due.sort(AlertWindows.SAME_TIME_ORDER);
            boolean contextCame = false;
            for (Finding f : due) {
                if (f.context) {
                    alert = takeContext(alert, f);
                    contextCame = true;
                } else {
                    alert = join(alert, f, ctx, out);
                }
            }
            if (contextCame && Boolean.TRUE.equals(matchesParts.value())) {
                for (Finding match : matchPartsFrom(timestamp)) {
                    ctx.timerService().registerEventTimeTimer(match.time + suppressionMillis);
                    alert = join(alert, match, ctx, out);
                }
            }
        }
        if (alert == null) {
            open.clear();
        } else {
            open.update(alert);
        }
        forgetWhatNoLateEventReaches(timestamp);
    }

    /**
     * A part's finding that a late event attributed to another alert comes again; when both wait
     * for the same instant, the later word stands.
     */
    private static List<Finding> latestWordOnEach(List<Finding> arrived) {
        List<Finding> latest = new ArrayList<>(arrived.size());
        for (Finding f : arrived) {
            if (f.context) {
                latest.removeIf(earlier -> earlier.context && AlertWindows.sameFinding(earlier, f));
            }
            latest.add(f);
        }
        return latest;
    }

    /** What the process did: into the open alert if it is within its window, and kept for openings later. */
    private Alert takeContext(Alert alert, Finding f) throws Exception {
        if (alert != null && f.time < alert.windowStart + suppressionMillis) {
            AlertWindows.addContext(alert, f);
        }
        add(recentContext, f);
        return alert;
    }

    private Alert join(Alert alert, Finding f, Context ctx, Collector<Alert> out) throws Exception {
        if (alert == null) {
            alert = AlertWindows.open(f);
            for (List<Finding> atTime : recentContext.values()) {
                for (Finding c : atTime) {
                    if (c.time >= f.time - contextMillis) {
                        AlertWindows.addContext(alert, c);
                    }
                }
            }
            if (emitOnOpen) {
                emit(alert, out);
            }
        } else {
            AlertWindows.join(alert, f);
        }
        if (allowedLatenessMillis > 0) {
            add(settled, f);
        }
        if (sequencePartRules.contains(f.ruleId)) {
            ctx.output(ATTRIBUTED_FINDINGS, f.attributedTo(alert.id));
        }
        return alert;
    }

    /** The alert leaves final, also when nothing joined it since it opened: sinks then hold what a replay writes. */
    private void close(Alert alert, Collector<Alert> out) throws Exception {
        alert.isFinal = true;
        emit(alert, out);
        if (allowedLatenessMillis > 0) {
            closed.put(alert.windowStart, alert);
        }
    }

    private void emit(Alert alert, Collector<Alert> out) {
        if (!alert.emitted) {
            count(alert, 1);
        }
        alert.emitted = true;
        out.collect(alert);
    }

    private void count(Alert alert, long n) {
        counters.get(JobCounters.ALERTS).add(n);
        counters.get(JobCounters.ALERTS_PREFIX + alert.ruleId).add(n);
    }

    /**
     * A finding behind the watermark: kept with the others, the group's windows built again, and
     * every alert that differs from what left sent now, marked late; one whose id a replay would not
     * raise is sent retracted.
     */
    private void admitLate(Finding f, long watermark, Context ctx, Collector<Alert> out) throws Exception {
        long lateness = f.late ? f.latenessMillis : watermark - f.time;
        if (f.context) {
            replaceContext(f);
        } else if (Boolean.TRUE.equals(matchesParts.value())) {
            return;
        } else {
            add(settled, f);
            if (f.time + suppressionMillis > watermark) {
                ctx.timerService().registerEventTimeTimer(f.time + suppressionMillis);
            }
        }
        registerForgetting(f.time, ctx);
        if (sequence != null && f.context) {
            matchPartsFromNowOn();
            for (Finding match : matchPartsFrom(f.time)) {
                add(settled, match);
                if (match.time + suppressionMillis > watermark) {
                    ctx.timerService().registerEventTimeTimer(match.time + suppressionMillis);
                }
                registerForgetting(match.time, ctx);
            }
        }
        rebuild(watermark, lateness, f, ctx, out);
    }

    /** A part's finding again, perhaps now attributed to another alert: the latest word on it stands. */
    private void replaceContext(Finding f) throws Exception {
        List<Finding> atTime = recentContext.get(f.time);
        List<Finding> kept = new ArrayList<>();
        if (atTime != null) {
            for (Finding c : atTime) {
                if (!AlertWindows.sameFinding(c, f)) {
                    kept.add(c);
                }
            }
        }
        kept.add(f);
        recentContext.put(f.time, kept);
    }

    /** From a late part on, CEP's matches of this process lack it: the aggregator matches the parts itself. */
    private void matchPartsFromNowOn() throws Exception {
        if (!Boolean.TRUE.equals(matchesParts.value())) {
            matchesParts.update(true);
            forgetPendingMatches();
        }
    }

    private void forgetPendingMatches() throws Exception {
        List<Long> times = new ArrayList<>();
        for (Long t : pending.keys()) {
            times.add(t);
        }
        for (Long t : times) {
            List<Finding> contextOnly = new ArrayList<>();
            for (Finding f : pending.get(t)) {
                if (f.context) {
                    contextOnly.add(f);
                }
            }
            if (contextOnly.isEmpty()) {
                pending.remove(t);
            } else {
                pending.put(t, contextOnly);
            }
        }
    }

    /**
     * This process's matches from {@code from} on, made again from the parts kept: those kept from
     * before stay (the parts after them cannot change them), those from {@code from} on are replaced.
     * Returns the new matches, for the caller to keep.
     */
    private List<Finding> matchPartsFrom(long from) throws Exception {
        List<Finding> parts = new ArrayList<>();
        for (List<Finding> atTime : recentContext.values()) {
            for (Finding c : atTime) {
                parts.add(c.asPart());
            }
        }
        List<Finding> kept = new ArrayList<>();
        for (List<Finding> atTime : settled.values()) {
            for (Finding m : atTime) {
                if (m.time < from) {
                    kept.add(m);
                }
            }
        }
        List<Finding> made = new ArrayList<>();
        for (List<String> order : sequence.orders()) {
            Finding last = null;
            for (Finding m : kept) {
                if (m.partsInOrder.equals(order) && (last == null || m.time > last.time)) {
                    last = m;
                }
            }
            // CEP's next match begins after the last part of the one before, in its order: by time, then rule id.
            String lastRule = order.get(order.size() - 1);
            List<Finding> after = new ArrayList<>();
            for (Finding p : parts) {
                if (last == null || p.time > last.time || (p.time == last.time && p.ruleId.compareTo(lastRule) > 0)) {
                    after.add(p);
                }
            }
            for (Finding m : SequenceMatches.of(sequence, order, contextMillis, after)) {
                if (m.time >= from) {
                    made.add(m);
                }
            }
        }
        List<Long> stale = new ArrayList<>();
        for (Long t : settled.keys()) {
            if (t >= from) {
                stale.add(t);
            }
        }
        for (Long t : stale) {
            settled.remove(t);
        }
        return made;
    }

    /** The group's windows built again from what is kept; what changed leaves now. */
    private void rebuild(long watermark, long lateness, Finding lateFinding, Context ctx, Collector<Alert> out)
            throws Exception {
        List<Finding> members = sorted(settled);
        List<Finding> contexts = sorted(recentContext);
        List<AlertWindows.Window> windows = AlertWindows.chain(members, contexts, suppressionMillis, contextMillis, watermark);

        Map<Long, Alert> before = new HashMap<>();
        for (Alert a : closed.values()) {
            before.put(a.windowStart, a);
        }
        Alert wasOpen = open.value();
        if (wasOpen != null) {
            before.put(wasOpen.windowStart, wasOpen);
        }
        List<Alert> nowClosed = new ArrayList<>();
        Alert nowOpen = null;
        for (AlertWindows.Window w : windows) {
            Alert alert = w.alert();
            Alert previous = before.remove(alert.windowStart);
            if (previous != null) {
                alert.emitted = previous.emitted;
                alert.late = previous.late;
                alert.latenessMillis = previous.latenessMillis;
            }
            if (previous == null || !AlertWindows.sameContent(previous, alert)) {
                alert.late = true;
                alert.latenessMillis = Math.max(alert.latenessMillis, lateness);
                emit(alert, out);
                attribute(w, previous == null ? null : lateFinding, lateness, ctx);
            }
            if (alert.isFinal) {
                nowClosed.add(alert);
            } else {
                nowOpen = alert;
            }
        }
        for (Alert gone : before.values()) {
            gone.retracted = true;
            gone.late = true;
            gone.latenessMillis = Math.max(gone.latenessMillis, lateness);
            count(gone, -1);
            counters.get(JobCounters.ALERTS_RETRACTED).inc();
            out.collect(gone);
        }
        closed.clear();
        for (Alert a : nowClosed) {
            closed.put(a.windowStart, a);
        }
        if (nowOpen == null) {
            open.clear();
        } else {
            open.update(nowOpen);
        }
    }

    /**
     * Tells the sequence detector which alert each part's finding now belongs to: every finding of a
     * window that is new, or only the late finding where the window kept its id.
     */
    private void attribute(AlertWindows.Window w, Finding onlyThis, long lateness, Context ctx) {
        for (Finding f : w.members()) {
            if (sequencePartRules.contains(f.ruleId) && (onlyThis == null || AlertWindows.sameFinding(f, onlyThis))) {
                Finding attributed = f.attributedTo(w.alert().id);
                attributed.late = true;
                attributed.latenessMillis = Math.max(f.latenessMillis, lateness);
                ctx.output(ATTRIBUTED_FINDINGS, attributed);
            }
        }
    }

    /** Once the watermark is past every window a late event could reach, the findings and context are let go. */
    private void registerForgetting(long time, Context ctx) {
        ctx.timerService().registerEventTimeTimer(time + suppressionMillis + contextMillis + allowedLatenessMillis);
    }

    private void forgetWhatNoLateEventReaches(long watermark) throws Exception {
        long reach = watermark - allowedLatenessMillis;
        long keepFrom = reach;
        if (allowedLatenessMillis > 0) {
            List<Long> unreachable = new ArrayList<>();
            for (Map.Entry<Long, Alert> a : closed.entries()) {
                if (a.getKey() + suppressionMillis > reach) {
                    keepFrom = Math.min(keepFrom, a.getKey());
                } else {
                    unreachable.add(a.getKey());
                }
            }
            for (Long start : unreachable) {
                closed.remove(start);
            }
            Alert stillOpen = open.value();
            if (stillOpen != null) {
                keepFrom = Math.min(keepFrom, stillOpen.windowStart);
            }
            removeBefore(settled, keepFrom);
        }
        if (contextMillis > 0) {
            // What happened a whole context span before the earliest window that can still open or change.
            removeBefore(recentContext, keepFrom - contextMillis + 1);
        }
        if (sequence != null && allowedLatenessMillis > 0 && recentContext.isEmpty() && settled.isEmpty()) {
            matchesParts.clear();
        }
    }

    private static void add(MapState<Long, List<Finding>> byTime, Finding f) throws Exception {
        List<Finding> atTime = byTime.get(f.time);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
        }
        atTime.add(f);
        byTime.put(f.time, atTime);
    }

    private static void removeBefore(MapState<Long, List<Finding>> byTime, long time) throws Exception {
        if (byTime.isEmpty()) {
            return;
        }
        List<Long> old = new ArrayList<>();
        for (Long t : byTime.keys()) {
            if (t < time) {
                old.add(t);
            }
        }
        for (Long t : old) {
            byTime.remove(t);
        }
    }

    private static List<Finding> sorted(MapState<Long, List<Finding>> byTime) throws Exception {
        List<Finding> all = new ArrayList<>();
        for (List<Finding> atTime : byTime.values()) {
            all.addAll(atTime);
        }
        all.sort(AlertWindows.TIME_ORDER);
        return all;
    }
}
