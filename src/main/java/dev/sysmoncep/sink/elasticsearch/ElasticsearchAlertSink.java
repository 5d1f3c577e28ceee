package dev.sysmoncep.sink.elasticsearch;

import dev.sysmoncep.alert.AlertDocument;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes alerts to Elasticsearch 7, 8, 9 or OpenSearch 2 and 3 through the {@code _bulk} API, one document
 * per alert id: an update of an alert replaces its document, a replay rewrites the same documents, and
 * a retracted alert deletes its document (there being none is fine).
 *
 * <pre>{@code
 * alerts.sinkTo(ElasticsearchAlertSink.builder()
 *         .url("https://es.example:9200")
 *         .apiKey(Secret.fromEnv("ES_API_KEY"))
 *         .caCertificate(Path.of("/etc/sysmon-cep/ca.pem"))
 *         .installTemplate(true)
 *         .deadLetterFile(Path.of("/var/lib/sysmon-cep/rejected-alerts.jsonl"))
 *         .build());
 * }</pre>
 *
 * <p>Delivery is at least once: alerts buffered at a checkpoint are in the sink's state, and a batch
 * in flight holds the checkpoint until it is written. Writing by id makes the repeats harmless.
 * Updates of one alert, its retraction among them, reach the cluster in order: the sink sends all
 * versions of an alert to the same writer, and a writer has one bulk request in flight
 * ({@code maxInFlightRequests} 1, the default; with more, a retried older version could land after a
 * newer one).
 */
public final class ElasticsearchAlertSink extends AsyncSinkBase<AlertDocument, AlertIndexRequest>
        implements SupportsPreWriteTopology<AlertDocument> {
    private static final long serialVersionUID = 1L;

    private final ElasticsearchConnection connection;
    private final AlertIndexName indexName;
    private final RetryPolicy retryPolicy;
    private final Duration bulkTimeout;
    private final boolean installTemplate;
    private final RejectedAlertHandler rejectedAlertHandler;

    private ElasticsearchAlertSink(Builder builder, ElasticsearchConnection connection, AlertIndexName indexName,
            RetryPolicy retryPolicy) {
        super(new AlertToIndexRequest(indexName), builder.maxBatchSize, builder.maxInFlightRequests,
                builder.maxBufferedRequests, builder.maxBatchSizeInBytes, builder.maxTimeInBuffer.toMillis(),
                // One alert may fill a whole batch; a bigger one fails the job, as the cluster would refuse it.
                builder.maxBatchSizeInBytes,
                // The writer bounds each batch itself (attempts x timeout + backoff); this outer limit
                // only catches a request that hangs, and fails the job rather than send it twice at once.
                (retryPolicy.maxRetries() + 1) * builder.requestTimeout.toMillis()
                        + retryPolicy.totalBackoff().toMillis() + Duration.ofMinutes(1).toMillis(),
                true);
        this.connection = connection;
        this.indexName = indexName;
        this.retryPolicy = retryPolicy;
        this.bulkTimeout = builder.bulkTimeout;
        this.installTemplate = builder.installTemplate;
        this.rejectedAlertHandler = builder.rejectedAlertHandler;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All versions of an alert go to one writer, so they reach the cluster in the order they came. */
    @Override
    public DataStream<AlertDocument> addPreWriteTopology(DataStream<AlertDocument> alerts) {
        return alerts.partitionCustom(new ByAlertId(), new AlertIdOf());
    }

    private static final class AlertIdOf implements KeySelector<AlertDocument, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(AlertDocument alert) {
            return alert.id == null ? "" : alert.id;
        }
    }

    private static final class ByAlertId implements Partitioner<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(String alertId, int writers) {
            return Math.floorMod(alertId.hashCode(), writers);
        }
    }

    @Override
    public StatefulSinkWriter<AlertDocument, BufferedRequestState<AlertIndexRequest>> createWriter(
            WriterInitContext context) throws IOException {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public StatefulSinkWriter<AlertDocument, BufferedRequestState<AlertIndexRequest>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<AlertIndexRequest>> recoveredState)
            throws IOException {
        AsyncSinkWriterConfiguration configuration = AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
        return new ElasticsearchAlertWriter(this, context, configuration, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<AlertIndexRequest>> getWriterStateSerializer() {
        return new AlertIndexRequestSerializer();
    }

    ElementConverter<AlertDocument, AlertIndexRequest> elementConverter() {
        return getElementConverter();
    }

    ElasticsearchConnection connection() {
        return connection;
    }

    AlertIndexName indexName() {
        return indexName;
    }

    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    Duration bulkTimeout() {
        return bulkTimeout;
    }

    boolean installsTemplate() {
        return installTemplate;
    }

    RejectedAlertHandler rejectedAlertHandler() {
        return rejectedAlertHandler;
    }

    @Override
    public String toString() {
        return "ElasticsearchAlertSink{" + connection + ", index=" + indexName + ", " + retryPolicy
                + ", installTemplate=" + installTemplate + ", rejectedAlerts=" + rejectedAlertHandler + "}";
    }

    /** Settings of the sink; only {@link #url} is required. */
    public static final class Builder {
        private List<String> urls = List.of();
        private String index = AlertIndexName.DEFAULT;
        private String username;
        private Secret password;
        private Secret apiKey;
        private Path caCertificate;
        private boolean installTemplate;
        private RejectedAlertHandler rejectedAlertHandler;
        private int maxBatchSize = 500;
        private long maxBatchSizeInBytes = 5L * 1024 * 1024;
        private Duration maxTimeInBuffer = Duration.ofSeconds(1);
        private int maxInFlightRequests = 1;
        private int maxBufferedRequests = 10_000;
        private int maxRetries = 10;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(90);
        private Duration bulkTimeout;

        private Builder() {}

        /**
         * The URL of a node, or of several: each retry goes to the next. A path is kept, for a cluster
         * behind a reverse proxy, e.g. {@code https://gateway.example/elasticsearch}.
         */
        public Builder url(String... urls) {
            this.urls = List.of(urls);
            return this;
        }

        /**
         * The index to write to: a name, or a name with a date pattern in braces filled from each
         * alert's {@code @timestamp} in UTC. Default {@value AlertIndexName#DEFAULT}. Not a data
         * stream: those take only {@code create}, which cannot replace an alert by its id.
         */
        public Builder index(String index) {
            this.index = index;
            return this;
        }

        public Builder basicAuth(String username, Secret password) {
            this.username = username;
            this.password = password;
            return this;
        }

        public Builder basicAuth(String username, String password) {
            return basicAuth(username, Secret.of(password));
        }

        /** An API key: the {@code encoded} value of the create-API-key response, or {@code id:api_key}. */
        public Builder apiKey(Secret apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder apiKey(String apiKey) {
            return apiKey(Secret.of(apiKey));
        }

        /** A PEM file with the CA certificate(s) to trust for HTTPS, instead of the JVM's trust store. */
        public Builder caCertificate(Path pemFile) {
            this.caCertificate = pemFile;
            return this;
        }

        /** Whether each writer puts the index template ({@link IndexTemplate}) before writing. Default false. */
        public Builder installTemplate(boolean installTemplate) {
            this.installTemplate = installTemplate;
            return this;
        }

        /** Where alerts go that the cluster rejects for good; they are always logged and counted too. */
        public Builder onRejected(RejectedAlertHandler handler) {
            this.rejectedAlertHandler = handler;
            return this;
        }

        /** Appends rejected alerts to a JSON-lines file on the task manager ({@link RejectedAlertsFile}). */
        public Builder deadLetterFile(Path file) {
            return onRejected(new RejectedAlertsFile(file));
        }

        /** Most alerts in one bulk request. Default 500. */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** Most bytes in one bulk request body. Default 5 MiB, well under Elasticsearch's 100 MB limit. */
        public Builder maxBatchSizeInBytes(long maxBatchSizeInBytes) {
            this.maxBatchSizeInBytes = maxBatchSizeInBytes;
            return this;
        }

        /** Longest an alert waits for its batch to fill. Default 1 s: analysts wait on alerts. */
        public Builder maxTimeInBuffer(Duration maxTimeInBuffer) {
            this.maxTimeInBuffer = maxTimeInBuffer;
            return this;
        }

        /** Bulk requests in flight per writer. Default 1, which keeps the updates of an alert in order. */
        public Builder maxInFlightRequests(int maxInFlightRequests) {
            this.maxInFlightRequests = maxInFlightRequests;
            return this;
        }

        /** Alerts a writer buffers before it blocks and so backpressures the job. Default 10,000. */
        public Builder maxBufferedRequests(int maxBufferedRequests) {
            this.maxBufferedRequests = maxBufferedRequests;
            return this;
        }

        /** Retries of one batch before the job fails (and restarts from its last checkpoint). Default 10. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** Wait before the first retry; each further one waits twice as long. Default 200 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** Longest wait between retries. Default 30 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Longest an HTTP request may take. Default 90 s, above the cluster's own 1 min bulk timeout. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * How long the cluster waits for an unavailable primary shard before it answers 503 for the
         * items bound to it, which the sink then retries. Default: the cluster's (1 min).
         */
        public Builder bulkTimeout(Duration bulkTimeout) {
            this.bulkTimeout = bulkTimeout;
            return this;
        }

        public ElasticsearchAlertSink build() {
            if (password != null && (username == null || username.isEmpty())) {
                throw new IllegalArgumentException("Basic auth needs a user name");
            }
            if (maxBufferedRequests <= maxBatchSize) {
                throw new IllegalArgumentException("maxBufferedRequests must be larger than maxBatchSize");
            }
            if (bulkTimeout != null && bulkTimeout.compareTo(requestTimeout) >= 0) {
                throw new IllegalArgumentException("bulkTimeout must be shorter than requestTimeout");
            }
            ElasticsearchConnection connection =
                    new ElasticsearchConnection(urls, username, password, apiKey, caCertificate, requestTimeout);
            return new ElasticsearchAlertSink(this, connection, AlertIndexName.parse(index),
                    new RetryPolicy(maxRetries, initialBackoff, maxBackoff));
        }
    }
}
