package dev.sysmoncep;

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
}
