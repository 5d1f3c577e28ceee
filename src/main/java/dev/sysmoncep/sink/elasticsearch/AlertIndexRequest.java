package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One alert on its way to the cluster: a bulk {@code index} action with the alert id as {@code _id},
 * so a new version of an alert, or a replayed one, replaces the stored document; or, for a retracted
 * alert, a bulk {@code delete} of that id, so the index ends holding what a replay writes.
 */
public final class AlertIndexRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String index;
    /** The alert id; null for an alert that came without one, which the writer dead-letters. */
    private final String alertId;
    /** The ECS document as one line of JSON; a retraction keeps it only for the dead-letter channel. */
    private final String document;
    private final boolean retraction;
    private final long sizeInBytes;

    public AlertIndexRequest(String index, String alertId, String document) {
        this(index, alertId, document, false);
    }

    /** The delete of a retracted alert's id in {@code index}, the index its versions were written to. */
    public static AlertIndexRequest retraction(String index, String alertId, String document) {
        return new AlertIndexRequest(index, alertId, document, true);
    }

    private AlertIndexRequest(String index, String alertId, String document, boolean retraction) {
        this.index = index;
        this.alertId = alertId;
        this.retraction = retraction;
        // A raw line break can only be whitespace between JSON tokens, and would split the document
        // across two lines of the newline-delimited bulk body.
        this.document = document.indexOf('\n') < 0 && document.indexOf('\r') < 0
                ? document
                : document.replace('\r', ' ').replace('\n', ' ');
        this.sizeInBytes = retraction ? utf8Length(actionLine()) + 1
                : utf8Length(actionLine()) + utf8Length(this.document) + 2;
    }

    public String index() {
        return index;
    }

    public String alertId() {
        return alertId;
    }

    public String document() {
        return document;
    }

    /** Whether this deletes the alert's id instead of indexing its document. */
    public boolean isRetraction() {
        return retraction;
    }

    /** The bulk action's name, as the bulk response names each item. */
    public String action() {
        return retraction ? "delete" : "index";
    }

    /** The bytes this alert adds to a bulk request body. */
    public long sizeInBytes() {
        return sizeInBytes;
    }

    private String actionLine() {
        JsonStringEncoder json = JsonStringEncoder.getInstance();
        String id = alertId == null ? "" : ",\"_id\":\"" + new String(json.quoteAsString(alertId)) + "\"";
        return "{\"" + action() + "\":{\"_index\":\"" + new String(json.quoteAsString(index)) + "\"" + id + "}}";
    }

    /**
     * The newline-delimited body of a {@code _bulk} request that indexes and deletes these alerts, in
     * order; a delete is its action line alone.
     */
    static byte[] bulkBody(List<AlertIndexRequest> alerts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (AlertIndexRequest alert : alerts) {
            body.writeBytes(alert.actionLine().getBytes(StandardCharsets.UTF_8));
            body.write('\n');
            if (!alert.retraction) {
                body.writeBytes(alert.document.getBytes(StandardCharsets.UTF_8));
                body.write('\n');
            }
        }
        return body.toByteArray();
    }

    /**
     * The last version of each alert in a batch, in the order those versions came. An earlier version
     * sent in the same bulk request could, if only it were rejected with 429 and retried, overwrite
     * the newer one that was accepted. A retraction is a version too: an index and a later delete of
     * one id send the delete alone, a delete and a later index the index alone.
     */
    static List<AlertIndexRequest> latestPerAlert(List<AlertIndexRequest> batch) {
        Map<String, AlertIndexRequest> latest = new LinkedHashMap<>();
        for (AlertIndexRequest alert : batch) {
            String key = alert.index + '\u0000' + alert.alertId;
            latest.remove(key);
            latest.put(key, alert);
        }
        return new ArrayList<>(latest.values());
    }

    private static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return "AlertIndexRequest{" + action() + " " + index + "/" + alertId + "}";
    }
}
