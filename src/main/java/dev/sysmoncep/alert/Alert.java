package dev.sysmoncep.alert;

import dev.sysmoncep.records.SysmonEvent;
import java.util.ArrayList;

/**
 * An alert: one rule, one group, one suppression window, like a row of Splunk's
 * {@code stats min(_time) max(_time) count by ...}. Its id is fixed when it opens; updates keep it.
 */
public class Alert {
    public String id;
    public String ruleId;
    /** Event time of the finding that opened the alert; the window is [windowStart, windowStart + suppression). */
    public long windowStart;
    public long firstTime;
    public long lastTime;
    /** Findings aggregated: events for a single-event rule, completed sequences for a sequence. */
    public long count;
    /** The finding that opened the alert supplies the alert's field values, in their source spelling. */
    public SysmonEvent event;
    public ArrayList<String> pipeNames = new ArrayList<>();
    public ArrayList<String> queryNames = new ArrayList<>();
    public ArrayList<String> relatedAlertIds = new ArrayList<>();
    /** True once the window has closed: no later event can change the alert. */
    public boolean isFinal;
    /** Whether this alert has left the job in some state already (it is counted once). */
    public boolean emitted;
    /**
     * Set when an event that came behind the watermark, within the allowed lateness, opened or
     * changed the alert; {@link #latenessMillis} says how far behind the latest such event was.
     */
    public boolean late;
    public long latenessMillis;
    /**
     * A streaming alert a late event made void: the event moved its window's start, so a replay
     * would never raise this id. Sinks delete it; its findings went to the alert that replaced it.
     */
    public boolean retracted;

    public Alert() {}
}
