package dev.sysmoncep.deploy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Waits on a condition the tests can only observe by asking (a REST resource, a topic) until a deadline. */
final class Poll {
    private static final long INTERVAL_MILLIS = 100;

    private Poll() {}

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Asks every 100 ms; on timeout, fails with what was awaited and the context (logs). */
    static void until(String what, Duration timeout, Condition condition, Supplier<String> context) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Waited " + timeout + " for " + what + context.get());
            }
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(INTERVAL_MILLIS, TimeUnit.MILLISECONDS))
                    .join();
        }
    }
}
