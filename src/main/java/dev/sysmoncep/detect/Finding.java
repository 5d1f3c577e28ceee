package dev.sysmoncep.detect;

import dev.sysmoncep.records.SysmonEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.TreeSet;

/**
 * One hit of one rule: a single event that matched a rule, or one completed sequence. Findings of
 * the same rule and group are aggregated into an alert.
 *
 * <p>A Flink POJO: mutable lists are {@link ArrayList}s, never JDK immutable collections, which
 * Kryo cannot read back.
 */
public class Finding {
    public String ruleId;
    /** The rule's grouping values, lower-cased and joined; with the rule id it keys the alert. */
    public String groupKey;
    /** Event time at which the finding happened (a sequence: when its last part happened). */
    public long time;
    /** Earliest and latest event time of the events behind the finding. */
    public long firstTime;
    public long lastTime;
    /** The event behind the finding; for a sequence, the first part's event with the other parts' DNS fields. */
    public SysmonEvent event;
    public ArrayList<String> pipeNames = new ArrayList<>();
    public ArrayList<String> queryNames = new ArrayList<>();
    /** Ids of the alerts this finding belongs to (for a sequence: the contributing alerts). */
    public ArrayList<String> relatedAlertIds = new ArrayList<>();
    /**
     * A part's finding handed to its sequence's aggregator for what it lists (pipes, queries,
     * contributing alerts), not as a completed sequence: it opens no alert and is not counted.
     */
    public boolean context;
    /** For a context finding: the id of the part's rule whose finding it is. */
    public String partRuleId;
    /** For a completed sequence: the part rules in the order its parts happened. */
    public ArrayList<String> partsInOrder = new ArrayList<>();
    /**
     * Set when the finding's event came behind the watermark, within the allowed lateness;
     * {@link #latenessMillis} says how far behind.
     */
    public boolean late;
    public long latenessMillis;

    public Finding() {}

    public static Finding ofEvent(EventRule rule, SysmonEvent event) {
        Finding f = new Finding();
        f.ruleId = rule.id();
        f.groupKey = rule.groupKey(event);
        f.time = event.eventTime;
        f.firstTime = event.eventTime;
        f.lastTime = event.eventTime;
        f.event = event;
        addIfPresent(f.pipeNames, event.pipeName);
        addIfPresent(f.queryNames, event.queryName);
        return f;
    }

    /** A completed sequence over findings of its parts, in the order they happened. */
    public static Finding ofSequence(SequenceRule rule, java.util.List<Finding> parts) {
        Finding f = new Finding();
        Finding first = parts.get(0);
        Finding last = parts.get(parts.size() - 1);
        f.ruleId = rule.id();
        f.groupKey = processKey(first.event);
        f.time = last.time;
        f.firstTime = Long.MAX_VALUE;
        f.lastTime = Long.MIN_VALUE;
        f.event = merged(parts);
        TreeSet<String> pipes = new TreeSet<>();
        TreeSet<String> queries = new TreeSet<>();
        TreeSet<String> alerts = new TreeSet<>();
        for (Finding p : parts) {
            f.partsInOrder.add(p.ruleId);
            f.firstTime = Math.min(f.firstTime, p.firstTime);
            f.lastTime = Math.max(f.lastTime, p.lastTime);
            pipes.addAll(p.pipeNames);
            queries.addAll(p.queryNames);
            alerts.addAll(p.relatedAlertIds);
        }
        f.pipeNames.addAll(pipes);
        f.queryNames.addAll(queries);
        f.relatedAlertIds.addAll(alerts);
        return f;
    }

    /** The process a sequence is keyed by: host and ProcessGuid, case-insensitive, braces ignored. */
    public static String processKey(SysmonEvent e) {
        return e.hostKey() + '\u001f' + e.processGuidKey();
    }

    /** The key of the alert this finding joins. */
    public String alertKey() {
        return ruleId + '\u001f' + groupKey;
    }

    /** A copy that names the alert the finding was aggregated into. */
    public Finding attributedTo(String alertId) {
        Finding f = new Finding();
        f.ruleId = ruleId;
        f.groupKey = groupKey;
        f.time = time;
        f.firstTime = firstTime;
        f.lastTime = lastTime;
        f.event = event;
        f.pipeNames = new ArrayList<>(pipeNames);
        f.queryNames = new ArrayList<>(queryNames);
        f.relatedAlertIds = new ArrayList<>();
        f.relatedAlertIds.add(alertId);
        f.late = late;
        f.latenessMillis = latenessMillis;
        return f;
    }

    /** This part's finding as context of a sequence alert of its process: keyed as that alert, listed, not counted. */
    public Finding asContextOf(SequenceRule rule) {
        Finding f = attributedTo(relatedAlertIds.isEmpty() ? null : relatedAlertIds.get(0));
        f.relatedAlertIds = new ArrayList<>(relatedAlertIds);
        f.partRuleId = ruleId;
        f.ruleId = rule.id();
        f.groupKey = processKey(event);
        f.context = true;
        return f;
    }

    /** The part's finding this context finding was made from, attributed as it is now: for matching the parts again. */
    public Finding asPart() {
        Finding f = attributedTo(null);
        f.relatedAlertIds = new ArrayList<>(relatedAlertIds);
        f.ruleId = partRuleId;
        return f;
    }

    /** Representative event of a sequence: process fields from the first part that has them, DNS fields from a DNS part. */
    private static SysmonEvent merged(Collection<Finding> parts) {
        SysmonEvent m = new SysmonEvent();
        for (Finding p : parts) {
            SysmonEvent e = p.event;
            if (m.host == null) {
                m.format = e.format;
                m.host = e.host;
                m.eventId = e.eventId;
                m.eventTime = e.eventTime;
                m.processGuid = e.processGuid;
                m.origin = e.origin;
            }
            m.processId = m.processId != null ? m.processId : e.processId;
            m.image = m.image != null ? m.image : e.image;
            m.user = m.user != null ? m.user : e.user;
            m.eventType = m.eventType != null ? m.eventType : e.eventType;
            m.pipeName = m.pipeName != null ? m.pipeName : e.pipeName;
            m.queryName = m.queryName != null ? m.queryName : e.queryName;
            m.queryStatus = m.queryStatus != null ? m.queryStatus : e.queryStatus;
            m.queryResults = m.queryResults != null ? m.queryResults : e.queryResults;
        }
        return m;
    }

    private static void addIfPresent(ArrayList<String> list, String value) {
        if (value != null) {
            list.add(value);
        }
    }

    @Override
    public String toString() {
        return "Finding{" + ruleId + " time=" + time + " group=" + groupKey.replace('\u001f', '|') + " alerts=" + relatedAlertIds + "}";
    }
}
