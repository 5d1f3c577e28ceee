package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ElasticsearchAlertSinkTest {

    @Test
    void travelsToTheTaskManagersWithAllItsSettings() throws Exception {
        ElasticsearchAlertSink sink = ElasticsearchAlertSink.builder()
                .url("https://es-1.example:9200/", "https://es-2.example:9200")
                .index("soc-{yyyy.MM}")
                .basicAuth("sysmon-cep", Secret.fromEnv("ES_PASSWORD"))
                .caCertificate(Path.of("/etc/sysmon-cep/ca.pem"))
                .installTemplate(true)
                .deadLetterFile(Path.of("/var/lib/sysmon-cep/rejected.jsonl"))
                .build();

        ElasticsearchAlertSink shipped = InstantiationUtil.clone(sink);

        assertThat(shipped).hasToString(sink.toString());
        assertThat(shipped.toString()).contains("https://es-1.example:9200, https://es-2.example:9200",
                "soc-{yyyy.MM}", "env ES_PASSWORD", "/etc/sysmon-cep/ca.pem", "installTemplate=true",
                "RejectedAlertsFile{/var/lib/sysmon-cep/rejected.jsonl}");
        assertThat(shipped.indexName().forTimestamp(0)).isEqualTo("soc-1970.01");
    }

    @Test
    void neverShowsCredentials() {
        assertThat(ElasticsearchAlertSink.builder().url("http://localhost:9200").basicAuth("elastic", "changeme")
                .build().toString()).contains("elastic").doesNotContain("changeme");
        assertThat(ElasticsearchAlertSink.builder().url("http://localhost:9200").apiKey("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6")
                .build().toString()).doesNotContain("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6");
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().build()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("localhost:9200").build())
                .hasMessageContaining("Not an http(s) URL");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("https://elastic:changeme@es:9200").build())
                .hasMessageContaining("not in the URL");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("http://es:9200")
                .basicAuth("elastic", "x").apiKey("y").build()).hasMessageContaining("not both");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("http://es:9200").basicAuth("", "x").build())
                .hasMessageContaining("user name");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("http://es:9200")
                .maxBatchSize(100).maxBufferedRequests(100).build()).hasMessageContaining("maxBufferedRequests");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("http://es:9200")
                .bulkTimeout(Duration.ofMinutes(2)).build()).hasMessageContaining("bulkTimeout");
        assertThatThrownBy(() -> ElasticsearchAlertSink.builder().url("http://es:9200").index("Alerts").build())
                .hasMessageContaining("upper-case");
    }
}
