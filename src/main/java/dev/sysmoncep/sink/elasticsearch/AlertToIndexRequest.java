package dev.sysmoncep.sink.elasticsearch;

import dev.sysmoncep.alert.AlertDocument;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/** Turns an alert into its bulk index action: the index from its first event time, its id as {@code _id}. */
final class AlertToIndexRequest implements ElementConverter<AlertDocument, AlertIndexRequest> {
    private static final long serialVersionUID = 1L;

    private final AlertIndexName indexName;

    AlertToIndexRequest(AlertIndexName indexName) {
        this.indexName = indexName;
    }

    @Override
    public AlertIndexRequest apply(AlertDocument alert, SinkWriter.Context context) {
        String alertId = alert.id == null || alert.id.isBlank() ? null : alert.id;
        return new AlertIndexRequest(indexName.forTimestamp(alert.timestamp), alertId,
                alert.json == null ? "" : alert.json);
    }
}
