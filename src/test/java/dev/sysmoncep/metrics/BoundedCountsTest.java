package dev.sysmoncep.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedCountsTest {

    @Test
    void keysPastTheBoundAreCountedTogetherAndNoCountIsLost() {
        BoundedCounts counts = new BoundedCounts(2);
        for (String key : new String[] {"blank line", "blank line", "invalid JSON", "invalid XML", "no event time", "blank line"}) {
            counts.add(key);
        }

        assertThat(counts.getLocalValue()).isEqualTo(Map.of("blank line", 3L, "invalid JSON", 1L, BoundedCounts.OTHER, 2L));
    }

    @Test
    void mergingSubtasksKeepsTheBoundAndTheTotal() {
        BoundedCounts a = new BoundedCounts(2);
        a.add("blank line");
        a.add("invalid JSON");
        BoundedCounts b = new BoundedCounts(2);
        b.add("invalid XML");
        b.add("blank line");

        a.merge(b);

        assertThat(a.getLocalValue()).isEqualTo(Map.of("blank line", 2L, "invalid JSON", 1L, BoundedCounts.OTHER, 1L));
        assertThat(a.clone().getLocalValue()).isEqualTo(a.getLocalValue()).isNotSameAs(a.getLocalValue());
    }
}
