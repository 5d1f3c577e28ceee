package dev.sysmoncep.alert;

import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.records.SysmonEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * What an alert is, given the findings of its group: the first finding opens a window, findings
 * within the suppression window after it join it, a later one opens the next; a sequence alert also
 * lists what its process did (its context) from one context span before its start to its end. The
 * streaming aggregator builds alerts with these steps as findings come, and builds them again from
 * the findings it keeps when a late one comes, so both ways give what a replay gives.
 */
final class AlertWindows {
    /** Enough names to see what a process did, without letting one alert grow without bound. */
    static final int MAX_LISTED = 64;

    /**
     * Orders findings of one group at one instant, so the alert's values never depend on arrival
     * order; context first.
     */
    static final Comparator<Finding> SAME_TIME_ORDER = Comparator.comparing(AlertWindows::signature);
    static final Comparator<Finding> TIME_ORDER = Comparator.<Finding>comparingLong(f -> f.time).thenComparing(SAME_TIME_ORDER);

    private AlertWindows() {}

    /** One window of a group: its alert and the findings it aggregates. */
    record Window(Alert alert, List<Finding> members) {}

    static Alert open(Finding f) {
        Alert alert = new Alert();
        alert.id = AlertIds.of(f.ruleId, f.groupKey, f.time);
        alert.ruleId = f.ruleId;
        alert.windowStart = f.time;
        alert.firstTime = f.firstTime;
        alert.lastTime = f.lastTime;
        alert.event = f.event;
        join(alert, f);
        return alert;
    }

    static void join(Alert alert, Finding f) {
        alert.count++;
        addContext(alert, f);
    }

    /** What a finding shows (its times and names) without counting it. */
    static void addContext(Alert alert, Finding f) {
        alert.firstTime = Math.min(alert.firstTime, f.firstTime);
        alert.lastTime = Math.max(alert.lastTime, f.lastTime);
        merge(alert.pipeNames, f.pipeNames);
        merge(alert.queryNames, f.queryNames);
        merge(alert.relatedAlertIds, f.relatedAlertIds);
    }

    /**
     * The windows the findings fall into, in the order the streaming aggregator takes them: by time,
     * context before findings at one instant, an alert opening with the context of its span before
     * it. Both lists must be in {@link #TIME_ORDER}; {@code watermark} tells which windows have closed.
     */
    static List<Window> chain(List<Finding> members, List<Finding> contexts, long suppressionMillis,
                              long contextMillis, long watermark) {
        List<Window> windows = new ArrayList<>();
        Window current = null;
        int c = 0;
        for (Finding f : members) {
            if (current != null) {
                for (; c < contexts.size() && TIME_ORDER.compare(contexts.get(c), f) < 0; c++) {
                    Finding context = contexts.get(c);
                    if (context.time >= current.alert().windowStart
                            && context.time < current.alert().windowStart + suppressionMillis) {
                        addContext(current.alert(), context);
                    }
                }
            }
            if (current == null || f.time >= current.alert().windowStart + suppressionMillis) {
                current = new Window(open(f), new ArrayList<>());
                for (Finding context : contexts) {
                    if (context.time >= f.time - contextMillis && TIME_ORDER.compare(context, f) < 0) {
                        addContext(current.alert(), context);
                    }
                }
                windows.add(current);
            } else {
                join(current.alert(), f);
            }
            current.members().add(f);
        }
        if (current != null) {
            for (; c < contexts.size(); c++) {
                Finding context = contexts.get(c);
                if (context.time >= current.alert().windowStart
                        && context.time < current.alert().windowStart + suppressionMillis) {
                    addContext(current.alert(), context);
                }
            }
        }
        for (Window w : windows) {
            w.alert().isFinal = watermark >= w.alert().windowStart + suppressionMillis;
        }
        return windows;
    }

    /** Whether an update would show the analyst anything new. */
    static boolean sameContent(Alert a, Alert b) {
        return a.count == b.count && a.firstTime == b.firstTime && a.lastTime == b.lastTime && a.isFinal == b.isFinal
                && a.pipeNames.equals(b.pipeNames) && a.queryNames.equals(b.queryNames)
                && a.relatedAlertIds.equals(b.relatedAlertIds) && eventSignature(a.event).equals(eventSignature(b.event));
    }

    /** The same part's finding of the same event, whichever alert it was attributed to. */
    static boolean sameFinding(Finding a, Finding b) {
        return a.time == b.time && String.valueOf(a.partRuleId).equals(String.valueOf(b.partRuleId))
                && a.ruleId.equals(b.ruleId) && eventSignature(a.event).equals(eventSignature(b.event));
    }

    /** Adds the names not yet listed, keeping the list sorted so its order never depends on arrival. */
    static void merge(ArrayList<String> into, List<String> names) {
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

    private static String signature(Finding f) {
        return String.join("\u0000", f.context ? "0" : "1", eventSignature(f.event), String.join(",", f.relatedAlertIds));
    }

    private static String eventSignature(SysmonEvent e) {
        return String.join("\u0000", String.valueOf(e.image), String.valueOf(e.eventType), String.valueOf(e.pipeName),
                String.valueOf(e.queryName), String.valueOf(e.queryStatus), String.valueOf(e.queryResults),
                String.valueOf(e.user), String.valueOf(e.processId), String.valueOf(e.processGuid),
                String.valueOf(e.host));
    }
}
