package dev.sysmoncep.cli;

import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.sink.elasticsearch.ElasticsearchAlertSink;
import dev.sysmoncep.sink.elasticsearch.Secret;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import picocli.CommandLine.Option;

/**
 * Options of the Elasticsearch / OpenSearch alert sink, shared by replay and stream. Secrets come
 * from environment variables or files, read where the sink runs; never from an argument.
 */
public final class ElasticsearchOptions {
    static final String USERNAME_ENV = "SYSMON_CEP_ES_USERNAME";
    static final String PASSWORD_ENV = "SYSMON_CEP_ES_PASSWORD";
    static final String API_KEY_ENV = "SYSMON_CEP_ES_API_KEY";

    @Option(names = "--elasticsearch", paramLabel = "URL",
            description = "Also write alerts to this Elasticsearch 7/8/9 or OpenSearch 2/3 node (repeat for more "
                    + "nodes of one cluster), by alert id: updates replace, replays do not duplicate.")
    List<String> urls;

    @Option(names = "--elasticsearch-index", paramLabel = "NAME",
            description = "Index name, with at most one date pattern in braces (default: ${DEFAULT-VALUE}).",
            defaultValue = "sysmon-cep-alerts-{yyyy.MM}")
    String index;

    @Option(names = "--elasticsearch-user", paramLabel = "NAME",
            description = "Basic auth user (default: $" + USERNAME_ENV + " when set); the password comes from $"
                    + PASSWORD_ENV + " or --elasticsearch-password-file.")
    String user;

    @Option(names = "--elasticsearch-password-file", paramLabel = "FILE",
            description = "File holding the basic auth password.")
    Path passwordFile;

    @Option(names = "--elasticsearch-api-key-file", paramLabel = "FILE",
            description = "File holding an API key (encoded, or id:key). Without it, $" + API_KEY_ENV
                    + " is used when set.")
    Path apiKeyFile;

    @Option(names = "--elasticsearch-ca-cert", paramLabel = "PEM",
            description = "CA certificate(s) to trust for TLS instead of the JVM's.")
    Path caCertificate;

    @Option(names = "--no-elasticsearch-template", negatable = false,
            description = "Do not install the index template at start (install it with "
                    + "job/elasticsearch/install-template.sh instead).")
    boolean skipTemplate;

    @Option(names = "--elasticsearch-dead-letter", paramLabel = "FILE",
            description = "Alerts the cluster refuses for good (mapping errors) go here with the reason; "
                    + "they are always logged and counted.")
    Path deadLetterFile;

    boolean enabled() {
        return urls != null && !urls.isEmpty();
    }

    /** Attaches the sink to the alerts when a URL was given. */
    void attach(DataStream<AlertDocument> alerts) {
        if (!enabled()) {
            return;
        }
        ElasticsearchAlertSink.Builder sink = ElasticsearchAlertSink.builder()
                .url(urls.toArray(String[]::new))
                .index(index)
                .installTemplate(!skipTemplate);
        String basicUser = user != null ? user : System.getenv(USERNAME_ENV);
        if (basicUser != null) {
            sink.basicAuth(basicUser, passwordFile != null ? Secret.fromFile(passwordFile) : Secret.fromEnv(PASSWORD_ENV));
        } else if (apiKeyFile != null) {
            sink.apiKey(Secret.fromFile(apiKeyFile));
        } else if (System.getenv(API_KEY_ENV) != null) {
            sink.apiKey(Secret.fromEnv(API_KEY_ENV));
        }
        if (caCertificate != null) {
            sink.caCertificate(caCertificate);
        }
        if (deadLetterFile != null) {
            sink.deadLetterFile(deadLetterFile);
        }
        alerts.sinkTo(sink.build()).name("Elasticsearch alerts").uid("elasticsearch-alerts");
    }
}
