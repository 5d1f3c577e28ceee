package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composable index template that gives alert indices their ECS mappings. Its one source is the
 * classpath resource {@value #RESOURCE}; {@code job/elasticsearch/install-template.sh} installs the
 * same file. Installed by the sink as {@code _index_template/<template name>} with its index patterns
 * set to the sink's index name, so a sink writing elsewhere than {@code sysmon-cep-alerts-*} still
 * gets the mappings.
 */
public final class IndexTemplate {
    public static final String RESOURCE = "elasticsearch/index-template.json";

    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplate.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private IndexTemplate() {}

    /** The template as shipped, for {@code sysmon-cep-alerts-*}. */
    public static ObjectNode load() {
        try (InputStream in = IndexTemplate.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template for the indices that {@code indexName} produces. */
    static ObjectNode forIndex(AlertIndexName indexName) {
        ObjectNode template = load();
        template.putArray("index_patterns").add(indexName.wildcard());
        return template;
    }

    /**
     * Puts the template, trying again like a bulk request on connection errors, 429 and 5xx. Every
     * writer does this before its first write, since an index that one writer auto-creates before the
     * template exists would keep dynamic mappings for good; putting the same template is idempotent.
     */
    static void install(ElasticsearchConnection.Client client, AlertIndexName indexName, RetryPolicy retryPolicy,
            Runnable onRetry) throws IOException, InterruptedException {
        String path = "/_index_template/" + indexName.templateName();
        byte[] body = JSON.writeValueAsBytes(forIndex(indexName));
        for (int attempt = 0; ; attempt++) {
            String failure;
            try {
                HttpResponse<String> response = client.send("PUT", path, "application/json", body, attempt).get();
                int status = response.statusCode();
                if (status == 200) {
                    LOG.info("Installed index template {} for {}", indexName.templateName(), indexName.wildcard());
                    return;
                }
                failure = "HTTP " + status + ": " + BulkResult.abbreviate(response.body());
                if (!BulkResult.isTransient(status)) {
                    throw new IOException("Installing index template " + path + " failed with " + failure);
                }
            } catch (ExecutionException e) {
                if (!ElasticsearchAlertWriter.isTransient(e.getCause())) {
                    throw new IOException("Installing index template " + path + " failed", e.getCause());
                }
                failure = String.valueOf(e.getCause());
            }
            if (attempt >= retryPolicy.maxRetries()) {
                throw new IOException("Gave up installing index template " + path + " after "
                        + retryPolicy.maxRetries() + " retries; last failure: " + failure);
            }
            long wait = retryPolicy.backoff(attempt).toMillis();
            LOG.warn("Installing index template {} failed ({}); trying again in {} ms", path, failure, wait);
            onRetry.run();
            Thread.sleep(wait);
        }
    }
}
