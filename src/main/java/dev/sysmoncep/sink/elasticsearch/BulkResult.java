package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code _bulk} response says about each alert sent: written (or, for a retraction, deleted or
 * not there), worth another try (the item was refused with 429, or 5xx such as an unavailable primary
 * shard), or rejected for good (any other 4xx, above all mapping errors).
 */
final class BulkResult {
    /** Only what the sink reads: a successful bulk response then is just {@code {"errors":false}}. */
    static final String FILTER_PATH = "filter_path=errors,items.*.status,items.*.error";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AlertIndexRequest> toRetry = new ArrayList<>();
    private final List<RejectedAlert> rejected = new ArrayList<>();
    private String retryReason;

    private BulkResult() {}

    static BulkResult parse(String responseBody, List<AlertIndexRequest> sent) throws IOException {
        BulkResult result = new BulkResult();
        JsonNode response = JSON.readTree(responseBody);
        if (response == null || !response.has("errors")) {
            throw new IOException("Not a bulk response: " + abbreviate(responseBody));
        }
        if (!response.path("errors").asBoolean()) {
            return result;
        }
        JsonNode items = response.path("items");
        if (items.size() != sent.size()) {
            throw new IOException("Bulk response has " + items.size() + " items for " + sent.size() + " alerts");
        }
        for (int i = 0; i < sent.size(); i++) {
            // Each item is {"index": {...}} or {"delete": {...}}: one field, named after the action.
            JsonNode item = items.get(i).elements().next();
            int status = item.path("status").asInt();
            AlertIndexRequest alert = sent.get(i);
            if (status >= 200 && status < 300 || status == 404 && alert.isRetraction()) {
                // A retraction's 404 is an id never written, or an index never created: either way
                // the alert is not there, which is what the delete is for.
                continue;
            }
            String reason = reason(item.path("error"));
            if (isTransient(status)) {
                result.toRetry.add(alert);
                result.retryReason = status + " " + reason;
            } else {
                result.rejected.add(new RejectedAlert(alert.alertId(), alert.index(), alert.action(), status, reason,
                        alert.document()));
            }
        }
        return result;
    }

    /** Whether a status, of a whole response or of one item, may go away on its own. */
    static boolean isTransient(int status) {
        return status == 429 || status >= 500;
    }

    List<AlertIndexRequest> toRetry() {
        return toRetry;
    }

    List<RejectedAlert> rejected() {
        return rejected;
    }

    /** The last transient failure, for the log line that announces the retry. */
    String retryReason() {
        return retryReason;
    }

    /** "type: reason", followed by the root cause, which for mapping errors names the bad value. */
    private static String reason(JsonNode error) {
        if (error.isTextual()) {
            return error.asText();
        }
        StringBuilder reason = new StringBuilder()
                .append(error.path("type").asText("unknown")).append(": ").append(error.path("reason").asText(""));
        JsonNode cause = error.path("caused_by");
        while (cause.isObject()) {
            reason.append("; caused by ").append(cause.path("type").asText("unknown")).append(": ")
                    .append(cause.path("reason").asText(""));
            cause = cause.path("caused_by");
        }
        return reason.toString();
    }

    static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ");
        return oneLine.length() <= 500 ? oneLine : oneLine.substring(0, 500) + "...";
    }
}
