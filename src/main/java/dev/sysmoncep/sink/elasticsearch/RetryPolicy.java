package dev.sysmoncep.sink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently the sink tries again after a transient failure: a connection error,
 * HTTP 429 or 5xx, or bulk items rejected with 429 or 5xx. The wait doubles from {@code initialBackoff}
 * up to {@code maxBackoff}, and each wait is drawn from its upper half so that the writers of a job
 * that were throttled together do not come back together.
 */
final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        if (maxRetries < 0 || initialBackoff.isNegative() || initialBackoff.isZero()
                || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("Retries need maxRetries >= 0 and 0 < initialBackoff <= maxBackoff");
        }
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    int maxRetries() {
        return maxRetries;
    }

    /** The wait before retry number {@code retry + 1}. */
    Duration backoff(int retry) {
        long ceiling = ceilingMillis(retry);
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** The longest that all the waits of one request can add up to. */
    Duration totalBackoff() {
        long total = 0;
        for (int retry = 0; retry < maxRetries; retry++) {
            total += ceilingMillis(retry);
        }
        return Duration.ofMillis(total);
    }

    private long ceilingMillis(int retry) {
        long initial = initialBackoff.toMillis();
        long max = maxBackoff.toMillis();
        boolean wouldOverflow = retry >= Long.numberOfLeadingZeros(initial) - 1;
        return wouldOverflow ? max : Math.min(max, initial << retry);
    }

    @Override
    public String toString() {
        return maxRetries + " retries, backoff " + initialBackoff.toMillis() + ".." + maxBackoff.toMillis() + " ms";
    }
}
