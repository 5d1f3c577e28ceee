package dev.sysmoncep.detect.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.records.RuleFileVersion;
import java.util.List;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumStateSerializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The enumerator's checkpoint keeps the version in force, and a checkpoint of a job without a rules topic still restores. */
class RulesTopicStateTest {
    private static final KafkaSourceEnumStateSerializer KAFKA = new KafkaSourceEnumStateSerializer();
    private final RulesTopicState.Serializer serializer = new RulesTopicState.Serializer(KAFKA);
    private final KafkaSourceEnumState kafka = new KafkaSourceEnumState(
            List.of(new KafkaPartitionSplit(new TopicPartition("sysmon", 1), 42)), List.of(), true);

    @Test
    void theVersionInForceAndTheOffsetComeBack() throws Exception {
        RuleFileVersion v = new RuleFileVersion(7, "ab".repeat(32), "version: 7\nrules: []\n# é\n", "rules/0@12");
        RulesTopicState back = serializer.deserialize(serializer.getVersion(),
                serializer.serialize(new RulesTopicState(kafka, v, 13)));
        assertThat(back.nextOffset()).isEqualTo(13);
        assertThat(back.inForce()).usingRecursiveComparison().isEqualTo(v);
        assertThat(back.kafka().assignedSplits()).singleElement()
                .satisfies(s -> assertThat(s.getStartingOffset()).isEqualTo(42));
    }

    @Test
    void aCheckpointOfTheKafkaSourceAloneRestoresWithoutAVersion() throws Exception {
        RulesTopicState back = serializer.deserialize(KAFKA.getVersion(), KAFKA.serialize(kafka));
        assertThat(back.inForce()).isNull();
        assertThat(back.nextOffset()).isEqualTo(-1);
        assertThat(back.kafka().initialDiscoveryFinished()).isTrue();
    }
}
