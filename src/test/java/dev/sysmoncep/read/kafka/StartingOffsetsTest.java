package dev.sysmoncep.read.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sysmoncep.read.kafka.StartingOffsets.Kind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartingOffsetsTest {
    @Test
    void namedPositionsAndTimesAsInstantsOrEpochMillis() {
        assertThat(StartingOffsets.parse("committed").kind()).isEqualTo(Kind.COMMITTED);
        assertThat(StartingOffsets.parse("EARLIEST").kind()).isEqualTo(Kind.EARLIEST);
        assertThat(StartingOffsets.parse(" latest ").kind()).isEqualTo(Kind.LATEST);
        long t = Instant.parse("2024-03-12T09:00:00Z").toEpochMilli();
        assertThat(StartingOffsets.parse("2024-03-12T09:00:00Z")).isEqualTo(new StartingOffsets(Kind.TIMESTAMP, t));
        assertThat(StartingOffsets.parse(Long.toString(t))).isEqualTo(new StartingOffsets(Kind.TIMESTAMP, t));
        assertThat(StartingOffsets.parse("committed").initializer()).isNotNull();
    }

    @Test
    void anythingElseIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> StartingOffsets.parse("yesterday"))
                .hasMessageContaining("committed, earliest, latest");
    }
}
