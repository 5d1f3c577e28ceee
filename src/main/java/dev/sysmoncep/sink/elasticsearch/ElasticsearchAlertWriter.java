package dev.sysmoncep.sink.elasticsearch;

import dev.sysmoncep.alert.AlertDocument;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches of alerts as {@code _bulk} requests. {@link AsyncSinkWriter} does the batching and
 * the backpressure; this class sees one batch through to the end: it retries the whole request on
 * connection errors, 429 and 5xx, and then only the items refused with 429 or 5xx, each time after an
 * exponential backoff, and hands items rejected for good to the dead-letter channel. A batch counts
 * as in flight until then, which is what makes a checkpoint wait for it. The deletes of retracted
 * alerts go the same way; one that finds nothing to delete is done.
 *
 * <p>Metrics: {@code requestsRetried} (whole requests sent again), {@code alertsRetried} (items sent
 * again), {@code alertsDeadLettered} (also in Flink's {@code numRecordsOutErrors}).
 */
final class ElasticsearchAlertWriter extends AsyncSinkWriter<AlertDocument, AlertIndexRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchAlertWriter.class);
    private static final String NDJSON = "application/x-ndjson";

    private final ElasticsearchConnection.Client client;
    private final RetryPolicy retryPolicy;
    private final String bulkPath;
    private final RejectedAlertHandler rejectedAlerts;
    private final MailboxExecutor mailbox;
    private final Counter requestsRetried;
    private final Counter alertsRetried;
    private final Counter alertsDeadLettered;
    private final Counter recordsOutErrors;
    /** Set on close, so that a retry still waiting for its backoff does not start a new request. */
    private volatile boolean closed;

    ElasticsearchAlertWriter(ElasticsearchAlertSink sink, WriterInitContext context,
            AsyncSinkWriterConfiguration configuration, Collection<BufferedRequestState<AlertIndexRequest>> states)
            throws IOException {
        super(sink.elementConverter(), context, configuration, states);
        this.client = sink.connection().open();
        this.retryPolicy = sink.retryPolicy();
        this.bulkPath = "/_bulk?" + BulkResult.FILTER_PATH
                + (sink.bulkTimeout() == null ? "" : "&timeout=" + sink.bulkTimeout().toMillis() + "ms");
        this.rejectedAlerts = sink.rejectedAlertHandler();
        this.mailbox = context.getMailboxExecutor();
        SinkWriterMetricGroup metrics = context.metricGroup();
        this.requestsRetried = metrics.counter("requestsRetried", new ThreadSafeSimpleCounter());
        this.alertsRetried = metrics.counter("alertsRetried", new ThreadSafeSimpleCounter());
        this.alertsDeadLettered = metrics.counter("alertsDeadLettered");
        this.recordsOutErrors = metrics.getNumRecordsOutErrorsCounter();
        if (sink.installsTemplate()) {
            try {
                IndexTemplate.install(client, sink.indexName(), retryPolicy, requestsRetried::inc);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while installing the index template", e);
            }
        }
    }

    @Override
    protected void submitRequestEntries(List<AlertIndexRequest> batch, ResultHandler<AlertIndexRequest> result) {
        List<AlertIndexRequest> withId = new ArrayList<>(batch.size());
        List<RejectedAlert> withoutId = new ArrayList<>();
        for (AlertIndexRequest alert : batch) {
            if (alert.alertId() == null) {
                // Without an id the cluster would make one up, and every replay would add a copy.
                withoutId.add(new RejectedAlert(null, alert.index(), alert.action(), 0, "alert has no id",
                        alert.document()));
            } else {
                withId.add(alert);
            }
        }
        if (!withoutId.isEmpty()) {
            mailbox.execute(() -> deadLetter(withoutId), "dead-letter alerts without id");
        }
        List<AlertIndexRequest> toSend = AlertIndexRequest.latestPerAlert(withId);
        if (toSend.isEmpty()) {
            result.complete();
        } else {
            send(toSend, 0, result);
        }
    }

    private void send(List<AlertIndexRequest> alerts, int attempt, ResultHandler<AlertIndexRequest> result) {
        client.send("POST", bulkPath, NDJSON, AlertIndexRequest.bulkBody(alerts), attempt)
                .whenComplete((response, failure) -> {
                    try {
                        handle(alerts, attempt, result, response, failure);
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                });
    }

    private void handle(List<AlertIndexRequest> alerts, int attempt, ResultHandler<AlertIndexRequest> result,
            HttpResponse<String> response, Throwable failure) throws IOException {
        if (failure != null) {
            Throwable cause = unwrap(failure);
            if (!isTransient(cause)) {
                result.completeExceptionally(new IOException("Bulk request failed: " + cause, cause));
                return;
            }
            requestsRetried.inc();
            retryOrFail(alerts, attempt, result, String.valueOf(cause));
            return;
        }
        int status = response.statusCode();
        if (BulkResult.isTransient(status)) {
            requestsRetried.inc();
            retryOrFail(alerts, attempt, result, "HTTP " + status + ": " + BulkResult.abbreviate(response.body()));
            return;
        }
        if (status != 200) {
            // 401 and 403 (credentials, privileges), 404 (a URL with a wrong path), 413 (a batch
            // over http.max_content_length): no retry changes these, the configuration must.
            result.completeExceptionally(new IOException("Bulk request to " + response.uri().getHost()
                    + " failed with HTTP " + status + ": " + BulkResult.abbreviate(response.body())));
            return;
        }
        BulkResult bulk = BulkResult.parse(response.body(), alerts);
        if (!bulk.rejected().isEmpty()) {
            // Before result.complete() below, so the mailbox handles them before the batch counts as done.
            mailbox.execute(() -> deadLetter(bulk.rejected()), "dead-letter rejected alerts");
        }
        if (bulk.toRetry().isEmpty()) {
            result.complete();
        } else {
            alertsRetried.inc(bulk.toRetry().size());
            retryOrFail(bulk.toRetry(), attempt, result, bulk.toRetry().size() + " of " + alerts.size()
                    + " alerts refused, e.g. " + bulk.retryReason());
        }
    }

    private void retryOrFail(List<AlertIndexRequest> alerts, int attempt, ResultHandler<AlertIndexRequest> result,
            String failure) {
        if (attempt >= retryPolicy.maxRetries()) {
            result.completeExceptionally(new IOException("Gave up writing " + alerts.size() + " alerts after "
                    + retryPolicy.maxRetries() + " retries; last failure: " + failure));
            return;
        }
        long wait = retryPolicy.backoff(attempt).toMillis();
        LOG.warn("Writing {} alerts failed ({}); retry {} of {} in {} ms",
                alerts.size(), failure, attempt + 1, retryPolicy.maxRetries(), wait);
        CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() -> {
            if (!closed) {
                send(alerts, attempt + 1, result);
            }
        });
    }

    /** Runs in the mailbox, on the task thread. */
    private void deadLetter(List<RejectedAlert> rejected) throws IOException {
        for (RejectedAlert alert : rejected) {
            LOG.warn("Dead-lettering the {} of alert {} in index {}: {} {}",
                    alert.action(), alert.alertId(), alert.index(), alert.status(), alert.reason());
            if (rejectedAlerts != null) {
                rejectedAlerts.accept(alert);
            }
            alertsDeadLettered.inc();
            recordsOutErrors.inc();
        }
    }

    /**
     * Connection refused or reset, timeouts, a node that closed the connection: worth another try,
     * maybe on another node. A failed TLS handshake (an untrusted certificate) is not.
     */
    static boolean isTransient(Throwable failure) {
        Throwable cause = unwrap(failure);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return false;
            }
        }
        return cause instanceof IOException;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    protected long getSizeInBytes(AlertIndexRequest alert) {
        return alert.sizeInBytes();
    }

    @Override
    public void close() {
        closed = true;
        if (rejectedAlerts != null) {
            try {
                rejectedAlerts.close();
            } catch (IOException e) {
                LOG.warn("Closing the dead-letter handler {} failed", rejectedAlerts, e);
            }
        }
    }
}
