package dev.sysmoncep.alert;

/**
 * An enriched alert as it leaves the job: its deterministic id (sinks upsert by it), the rule
 * that raised it, its first event time, and the ECS-shaped JSON document.
 */
public class AlertDocument {
    public String id;
    public String ruleId;
    /** Epoch milliseconds of the alert's first event ({@code @timestamp}). */
    public long timestamp;
    /** True once the alert's window has closed and no event can change it any more. */
    public boolean isFinal;
    /** The alert is void (see {@link Alert#retracted}): a sink deletes the alert with this id. */
    public boolean retracted;
    public String json;

    public AlertDocument() {}

    public AlertDocument(String id, String ruleId, long timestamp, boolean isFinal, String json) {
        this(id, ruleId, timestamp, isFinal, false, json);
    }

    public AlertDocument(String id, String ruleId, long timestamp, boolean isFinal, boolean retracted, String json) {
        this.id = id;
        this.ruleId = ruleId;
        this.timestamp = timestamp;
        this.isFinal = isFinal;
        this.retracted = retracted;
        this.json = json;
    }

    @Override
    public String toString() {
        return json;
    }
}
