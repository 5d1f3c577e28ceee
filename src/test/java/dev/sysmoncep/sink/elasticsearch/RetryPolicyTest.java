package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(200), Duration.ofSeconds(30));

    @Test
    void waitsTwiceAsLongEachTimeUpToTheMaximum() {
        for (int i = 0; i < 100; i++) {
            assertThat(policy.backoff(0).toMillis()).isBetween(100L, 200L);
            assertThat(policy.backoff(3).toMillis()).isBetween(800L, 1600L);
            assertThat(policy.backoff(8).toMillis()).isBetween(15_000L, 30_000L);
            assertThat(policy.backoff(70).toMillis()).isBetween(15_000L, 30_000L);
        }
    }

    @Test
    void knowsTheLongestItCanWait() {
        // 200 + 400 + ... + 25,600 (eight retries), then 30,000 twice.
        assertThat(policy.totalBackoff()).isEqualTo(Duration.ofMillis(51_000 + 60_000));
    }

    @Test
    void refusesAPolicyThatCannotWork() {
        assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ofMillis(1), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
