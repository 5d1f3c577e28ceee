package dev.sysmoncep.sink.elasticsearch;

import dev.sysmoncep.alert.AlertDocument;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * Turns an alert into its bulk action: the index from its first event time, its id as {@code _id};
 * an index of its document, or for a retracted alert a delete. A retracted alert carries the first
 * event time its versions were written with, so the delete addresses the index that holds them.
 */
final class AlertToIndexRequest implements ElementConverter<AlertDocument, AlertIndexRequest> {
    private static final long serialVersionUID = 1L;

    private final AlertIndexName indexName;

    AlertToIndexRequest(AlertIndexName indexName) {
        this.indexName = indexName;
    }

    @Override
    public AlertIndexRequest apply(AlertDocument alert, SinkWriter.Context context) {
        String alertId = alert.id == null || alert.id.isBlank() ? null : alert.id;
        String index = indexName.forTimestamp(alert.timestamp);
        String document = alert.json == null ? "" : alert.json;
        return alert.retracted ? AlertIndexRequest.retraction(index, alertId, document)
                : new AlertIndexRequest(index, alertId, document);
    }
}
