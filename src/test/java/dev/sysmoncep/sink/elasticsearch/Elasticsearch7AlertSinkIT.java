package dev.sysmoncep.sink.elasticsearch;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink against Elasticsearch 7.10.2, in its own JVM. */
class Elasticsearch7AlertSinkIT extends AlertSinkContract {
    private static final InMemoryReporter METRICS = newMetrics();

    @RegisterExtension
    static final SearchNode NODE = new SearchNode(SearchNode.Kind.ELASTICSEARCH_7, "sysmon-cep-it-elasticsearch7");

    @RegisterExtension
    static final MiniClusterExtension FLINK = flinkWith(METRICS);

    @Override
    SearchNode node() {
        return NODE;
    }

    @Override
    InMemoryReporter metrics() {
        return METRICS;
    }
}
