package dev.sysmoncep.workflow;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * The size of a job's state as Flink's checkpoint statistics give it (what the web UI shows under
 * Checkpoints): a checkpoint is taken on demand and its sizes read back.
 *
 * @param stateSize the whole state the checkpoint covers (for incremental RocksDB checkpoints, with
 *     the files it shares with earlier ones), in bytes
 * @param checkpointedSize what this checkpoint wrote, in bytes
 */
public record CheckpointedState(long id, long stateSize, long checkpointedSize) {
    private static final Duration PAUSE = Duration.ofMillis(50);

    /** Takes a checkpoint of the job now, once all its tasks run, and returns its sizes. */
    public static CheckpointedState take(MiniCluster cluster, JobID job, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!allRunning(cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS))) {
            pauseUntil(end, "the job's tasks to run");
        }
        long id = cluster.triggerCheckpoint(job, CheckpointType.CONFIGURED).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        while (true) {
            AbstractCheckpointStats stats = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS)
                    .getCheckpointStatsSnapshot().getHistory().getCheckpointById(id);
            if (stats != null && stats.getStatus() == CheckpointStatsStatus.COMPLETED) {
                return new CheckpointedState(id, stats.getStateSize(), stats.getCheckpointedSize());
            }
            pauseUntil(end, "the statistics of checkpoint " + id);
        }
    }

    private static boolean allRunning(AccessExecutionGraph graph) {
        if (graph.getState().isGloballyTerminalState()) {
            throw new AssertionError("the job ended (" + graph.getState() + ")"
                    + (graph.getFailureInfo() != null ? ": " + graph.getFailureInfo().getExceptionAsString() : ""));
        }
        if (graph.getState() != JobStatus.RUNNING) {
            return false;
        }
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    private static void pauseUntil(long end, String what) {
        if (System.nanoTime() > end) {
            throw new AssertionError("gave up waiting for " + what);
        }
        LockSupport.parkNanos(PAUSE.toNanos());
    }
}
