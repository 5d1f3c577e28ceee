package dev.sysmoncep.alert;

import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.records.SysmonEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * finding opens an alert, findings within the window after it join it, a later one opens the next.
 *
 * <p>Findings are taken in event time order whatever order they arrive in: each waits in
 * {@code pending} until the watermark passes its time. In streaming an alert leaves as soon as it
 * opens and again, in its final state, when its window closes; a batch
 * replay emits each alert once, final.
 */
public class AlertAggregator extends KeyedProcessFunction<String, Finding, Alert> {
    private static final long serialVersionUID = 1L;

    /** Every finding of a sequence part, naming the alert it joined, for the sequence detector. */
    public static final OutputTag<Finding> ATTRIBUTED_FINDINGS =
            new OutputTag<>("attributed-findings", TypeInformation.of(Finding.class));

    /** Enough names to see what a process did, without letting one alert grow without bound. */
    static final int MAX_LISTED = 64;

    private static final Comparator<Finding> SAME_TIME_ORDER = Comparator.comparing(AlertAggregator::signature);

    private final long suppressionMillis;
    private final boolean emitOnOpen;
    private final Set<String> sequencePartRules;
    /** How far before a sequence alert's first sequence what its process did belongs to it; 0 for rule alerts. */
    private final long contextMillis;

    /** Findings waiting for the watermark, by event time; an entry goes when the watermark passes it. */
    private transient MapState<Long, List<Finding>> pending;
    /**
     * Context findings (what the process did: its pipes and lookups) of the last {@link #contextMillis},
     * by event time, for a sequence alert that opens after them; each goes once that time has passed.
     */
    private transient MapState<Long, List<Finding>> recentContext;
    /** The alert open for this group; cleared when its window closes. */
    private transient ValueState<Alert> open;
    private transient JobCounters counters;

    /** Aggregates a rule's findings; those of {@code sequencePartRules} also go to the sequence detector. */
    public AlertAggregator(long suppressionMillis, boolean emitOnOpen, Set<String> sequencePartRules) {
        this(suppressionMillis, emitOnOpen, sequencePartRules, 0);
    }

    /**
     * Aggregates a sequence's completed matches, and lists in each sequence alert what its process did
     * from {@code contextMillis} (the sequence window) before the alert's first sequence to the end of
     * its window: every pipe, query and contributing alert of the context findings in that time.
     */
    public static AlertAggregator forSequence(long suppressionMillis, boolean emitOnOpen, long contextMillis) {
        return new AlertAggregator(suppressionMillis, emitOnOpen, Set.of(), contextMillis);
    }

    private AlertAggregator(long suppressionMillis, boolean emitOnOpen, Set<String> sequencePartRules, long contextMillis) {
        this.suppressionMillis = suppressionMillis;
        this.emitOnOpen = emitOnOpen;
        this.sequencePartRules = new TreeSet<>(sequencePartRules);
        this.contextMillis = contextMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "pending", Types.LONG, Types.LIST(TypeInformation.of(Finding.class))));
        open = getRuntimeContext().getState(new ValueStateDescriptor<>("open", TypeInformation.of(Alert.class)));
        recentContext = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "recent-context", Types.LONG, Types.LIST(TypeInformation.of(Finding.class))));
        counters = new JobCounters(getRuntimeContext());
    }

    @Override
    public void processElement(Finding finding, Context ctx, Collector<Alert> out) throws Exception {
        List<Finding> atTime = pending.get(finding.time);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
        }
        atTime.add(finding);
        pending.put(finding.time, atTime);
        ctx.timerService().registerEventTimeTimer(finding.time);
        // Every window starts at some finding's time, so a timer one window after each finding
        // closes every window. Registered here, not when the window opens in onTimer: a batch
        // job ignores timers registered while its timers fire at the end of a key.
        ctx.timerService().registerEventTimeTimer(finding.time + suppressionMillis);
        if (finding.context) {
            ctx.timerService().registerEventTimeTimer(finding.time + contextMillis); // when it is too old to join
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
            due.sort(SAME_TIME_ORDER);
            for (Finding f : due) {
                if (f.context) {
                    alert = takeContext(alert, f);
                } else {
                    boolean opens = alert == null;
                    alert = join(alert, f, ctx, out, opens);
                }
            }
        }
        // What happened a whole context span ago can join no later opening.
        forgetContextBefore(timestamp - contextMillis + 1);
        if (alert == null) {
            open.clear();
        } else {
            open.update(alert);
        }
    }

    /** What the process did: into the open alert if it is within its window, and kept for one opening later. */
    private Alert takeContext(Alert alert, Finding f) throws Exception {
        if (alert != null && f.time < alert.windowStart + suppressionMillis) {
            addContext(alert, f);
        }
        List<Finding> atTime = recentContext.get(f.time);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
        }
        atTime.add(f);
        recentContext.put(f.time, atTime);
        return alert;
    }

    private static void addContext(Alert alert, Finding f) {
        alert.firstTime = Math.min(alert.firstTime, f.firstTime);
        alert.lastTime = Math.max(alert.lastTime, f.lastTime);
        merge(alert.pipeNames, f.pipeNames);
        merge(alert.queryNames, f.queryNames);
        merge(alert.relatedAlertIds, f.relatedAlertIds);
    }

    private void forgetContextBefore(long time) throws Exception {
        if (contextMillis == 0 || recentContext.isEmpty()) {
            return;
        }
        List<Long> old = new ArrayList<>();
        for (Long t : recentContext.keys()) {
            if (t < time) {
                old.add(t);
            }
        }
        for (Long t : old) {
            recentContext.remove(t);
        }
    }

    private Alert join(Alert alert, Finding f, OnTimerContext ctx, Collector<Alert> out, boolean opens) throws Exception {
        if (opens) {
            alert = new Alert();
            alert.id = AlertIds.of(f.ruleId, f.groupKey, f.time);
            alert.ruleId = f.ruleId;
            alert.windowStart = f.time;
            alert.firstTime = f.firstTime;
            alert.lastTime = f.lastTime;
            alert.count = 1;
            alert.event = f.event;
            merge(alert.pipeNames, f.pipeNames);
            merge(alert.queryNames, f.queryNames);
            merge(alert.relatedAlertIds, f.relatedAlertIds);
            for (List<Finding> atTime : recentContext.values()) {
                for (Finding c : atTime) {
                    addContext(alert, c);
                }
            }
            if (emitOnOpen) {
                emit(alert, out);
            }
        } else {
            alert.count++;
            alert.firstTime = Math.min(alert.firstTime, f.firstTime);
            alert.lastTime = Math.max(alert.lastTime, f.lastTime);
            merge(alert.pipeNames, f.pipeNames);
            merge(alert.queryNames, f.queryNames);
            merge(alert.relatedAlertIds, f.relatedAlertIds);
        }
        if (sequencePartRules.contains(f.ruleId)) {
            ctx.output(ATTRIBUTED_FINDINGS, f.attributedTo(alert.id));
        }
        return alert;
    }

    /** The alert leaves final, also when nothing joined it since it opened: sinks then hold what a replay writes. */
    private void close(Alert alert, Collector<Alert> out) {
        alert.isFinal = true;
        emit(alert, out);
    }

    private void emit(Alert alert, Collector<Alert> out) {
        if (!alert.emitted) {
            counters.get(JobCounters.ALERTS).inc();
            counters.get(JobCounters.ALERTS_PREFIX + alert.ruleId).inc();
        }
        alert.emitted = true;
        out.collect(alert);
    }

    /** Adds the names not yet listed, keeping the list sorted so its order never depends on arrival. */
    private static void merge(ArrayList<String> into, List<String> names) {
        if (names.isEmpty() || into.size() >= MAX_LISTED) {
            return;
        }
        TreeSet<String> union = new TreeSet<>(into);
        union.addAll(names);
        into.clear();
        for (String n : union) {
            if (into.size() == MAX_LISTED) {
                break;
            }
            into.add(n);
        }
    }

    /** Orders findings of one group at one instant, so the alert's values never depend on arrival order; context first. */
    private static String signature(Finding f) {
        SysmonEvent e = f.event;
        return String.join("\u0000", f.context ? "0" : "1", String.valueOf(e.image), String.valueOf(e.eventType), String.valueOf(e.pipeName),
                String.valueOf(e.queryName), String.valueOf(e.queryStatus), String.valueOf(e.queryResults),
                String.valueOf(e.user), String.valueOf(e.processId), String.valueOf(e.processGuid),
                String.valueOf(e.host), String.join(",", f.relatedAlertIds));
    }
}
