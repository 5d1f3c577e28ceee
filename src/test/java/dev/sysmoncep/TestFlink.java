package dev.sysmoncep;

import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the job tests run on. */
public final class TestFlink {
    private TestFlink() {}

    /**
     * One TaskManager with two slots, so keyed stages really spread over subtasks; no restarts, so a
     * failing job fails the test instead of restarting forever.
     */
    public static MiniClusterExtension twoSlots() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    /**
     * Cancels the jobs a test left running on the shared cluster (it failed before it cancelled
     * them), so that they hold no slot the next test needs.
     */
    public static void cancelJobsLeftRunning(ClusterClient<?> flink) throws Exception {
        for (var job : flink.listJobs().get(30, TimeUnit.SECONDS)) {
            if (!job.getJobState().isGloballyTerminalState()) {
                flink.cancel(job.getJobId()).get(60, TimeUnit.SECONDS);
            }
        }
    }
}
