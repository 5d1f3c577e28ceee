package dev.sysmoncep.testnode;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import java.io.IOException;
import java.net.ServerSocket;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One OpenSearch node on 127.0.0.1 for the sink's integration tests.
 *
 * <p>Usage: {@code OpenSearchTestNode CLUSTER_NAME HOME_DIR}. Prints {@code READY http://127.0.0.1:PORT}
 * once the cluster is yellow, then lives as long as its standard input is open: the test JVM holds
 * the other end, so the node goes away when the tests close it and also when that JVM dies.
 */
public final class OpenSearchTestNode {

    public static void main(String[] args) throws Exception {
        String clusterName = args[0];
        String home = args[1];
        int httpPort = freePort();
        int transportPort = freePort();

        OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((number, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            // A nearly full CI disk must not turn the test indices read-only.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        });
        runner.build(newConfigs().clusterName(clusterName).numOfNode(1).basePath(home));
        runner.ensureYellow();
        System.out.println("READY http://127.0.0.1:" + httpPort);
        System.out.flush();

        while (System.in.read() >= 0) {
            // Nothing is sent on stdin; it only signals, by closing, that the test JVM is gone.
        }
        runner.close();
        runner.clean();
        System.exit(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
