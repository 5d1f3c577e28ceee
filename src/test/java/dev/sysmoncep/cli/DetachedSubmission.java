package dev.sysmoncep.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Makes {@code getExecutionEnvironment} submit as {@code flink run -d} does: through the REST API
 * of a running cluster, detached ({@code execution.attached: false}), so that the program gets a
 * job client whose result it must not wait for.
 */
final class DetachedSubmission extends StreamExecutionEnvironment {
    private DetachedSubmission() {}

    /** @param cluster the client configuration of the cluster (its REST address and port) */
    static void install(Configuration cluster) {
        initializeContextEnvironment(conf -> {
            Configuration c = new Configuration(cluster);
            c.addAll(conf);
            c.set(DeploymentOptions.TARGET, "remote");
            c.set(DeploymentOptions.ATTACHED, false);
            return new StreamExecutionEnvironment(c);
        });
    }

    static void uninstall() {
        resetContextEnvironment();
    }
}
