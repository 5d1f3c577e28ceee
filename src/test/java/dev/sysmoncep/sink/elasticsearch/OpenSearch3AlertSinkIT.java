package dev.sysmoncep.sink.elasticsearch;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink against OpenSearch 3.8, in its own JVM on Java 21+ (Temurin 25 here). */
class OpenSearch3AlertSinkIT extends AlertSinkContract {
    private static final InMemoryReporter METRICS = newMetrics();

    @RegisterExtension
    static final SearchNode NODE = new SearchNode(SearchNode.Kind.OPENSEARCH_3, "sysmon-cep-it-opensearch3");

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
