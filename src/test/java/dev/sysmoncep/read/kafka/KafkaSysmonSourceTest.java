package dev.sysmoncep.read.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the stream job's start-up log says it reads, and from where. */
class KafkaSysmonSourceTest {
    private final KafkaSysmonSource source = new KafkaSysmonSource("b:9092", List.of("sysmon"), null, "sysmon-cep",
            StartingOffsets.parse("committed"), new Properties());

    @Test
    void aFreshJobStartsFromWhereStartFromSays() {
        assertThat(source.describe(null)).isEqualTo("topic(s) sysmon at b:9092 as group sysmon-cep, starting (without a "
                + "checkpoint) from the group's committed offsets (earliest where none)");
    }

    @Test
    void aRestoredJobSaysItGoesOnFromTheSavepointNotFromTheGroupsOffsets() {
        assertThat(source.describe("file:///sp/savepoint-1"))
                .contains("going on from the offsets in file:///sp/savepoint-1")
                .doesNotContain("without a checkpoint", "committed offsets");
    }
}
