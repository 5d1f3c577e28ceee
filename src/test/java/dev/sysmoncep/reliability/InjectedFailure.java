package dev.sysmoncep.reliability;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a test makes the streaming job fail: once armed, the first task that passes the point throws,
 * and the point disarms itself, so the restarted job runs on. The state is static because the
 * MiniCluster runs the job's tasks in the test's JVM.
 */
enum InjectedFailure {
    SOURCE_READER("in the Kafka source reader, handing on a record"),
    ALERT_OPERATOR("in an operator between the alert aggregators and the sink, on an alert"),
    SINK_PRE_COMMIT("in the alert sink at a checkpoint barrier, with alerts flushed into a transaction not yet committed"),
    SINK_COMMIT("in the alert sink's committer, right after it committed a checkpoint's transaction");

    private final String where;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger fired = new AtomicInteger();

    InjectedFailure(String where) {
        this.where = where;
    }

    void arm() {
        armed.set(true);
    }

    void reset() {
        armed.set(false);
        fired.set(0);
    }

    int timesFired() {
        return fired.get();
    }

    /** Throws if armed, disarming: exactly one task fails here, exactly once. */
    void failHereIfArmed() {
        if (armed.compareAndSet(true, false)) {
            fired.incrementAndGet();
            throw new IllegalStateException(message());
        }
    }

    String message() {
        return "injected failure " + where;
    }

    @Override
    public String toString() {
        return name().toLowerCase().replace('_', ' ');
    }
}
