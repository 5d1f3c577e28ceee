package dev.sysmoncep.sink.elasticsearch;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink against OpenSearch 2.19.1, in its own JVM. */
class OpenSearch2AlertSinkIT extends AlertSinkContract {
    private static final InMemoryReporter METRICS = newMetrics();

    @RegisterExtension
    static final SearchNode NODE = new SearchNode(SearchNode.Kind.OPENSEARCH_2, "sysmon-cep-it-opensearch2");

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
