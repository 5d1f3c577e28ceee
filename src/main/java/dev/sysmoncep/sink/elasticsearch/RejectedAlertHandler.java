package dev.sysmoncep.sink.elasticsearch;

import java.io.IOException;
import java.io.Serializable;

/**
 * Where alerts go that the cluster rejected for good. The sink always logs and counts them
 * ({@code alertsDeadLettered}, and Flink's {@code numRecordsOutErrors}); a handler keeps them for a
 * person to fix and re-send. It is called on the writer's task thread, one alert at a time, and an
 * exception from it fails the job rather than lose the alert.
 */
public interface RejectedAlertHandler extends Serializable {

    void accept(RejectedAlert rejected) throws IOException;

    /** Called once when the writer closes. */
    default void close() throws IOException {}
}
