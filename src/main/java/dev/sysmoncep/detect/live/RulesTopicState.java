package dev.sysmoncep.detect.live;

import dev.sysmoncep.records.RuleFileVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The enumerator's checkpoint: the Kafka source's own, the rule file version in force and the
 * rules topic's offset to go on from.
 *
 * @param inForce null in a checkpoint of a job that had no rules topic
 * @param nextOffset -1 in a checkpoint of a job that had no rules topic
 */
public record RulesTopicState(KafkaSourceEnumState kafka, RuleFileVersion inForce, long nextOffset) {

    /**
     * Writes this state under a version of its own, far above the Kafka source's: a savepoint of a
     * job without a rules topic, written by the Kafka serializer alone, still restores.
     */
    static final class Serializer implements SimpleVersionedSerializer<RulesTopicState> {
        private static final int VERSION = 1001;
        private final SimpleVersionedSerializer<KafkaSourceEnumState> kafka;

        Serializer(SimpleVersionedSerializer<KafkaSourceEnumState> kafka) {
            this.kafka = kafka;
        }

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(RulesTopicState state) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                byte[] kafkaState = kafka.serialize(state.kafka());
                out.writeInt(kafka.getVersion());
                out.writeInt(kafkaState.length);
                out.write(kafkaState);
                RuleFileVersion v = state.inForce();
                out.writeBoolean(v != null);
                if (v != null) {
                    out.writeInt(v.version);
                    out.writeUTF(v.sha256);
                    out.writeUTF(v.origin);
                    byte[] text = v.text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.writeInt(text.length);
                    out.write(text);
                }
                out.writeLong(state.nextOffset());
            }
            return bytes.toByteArray();
        }

        @Override
        public RulesTopicState deserialize(int version, byte[] serialized) throws IOException {
            if (version != VERSION) {
                return new RulesTopicState(kafka.deserialize(version, serialized), null, -1);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int kafkaVersion = in.readInt();
                byte[] kafkaState = new byte[in.readInt()];
                in.readFully(kafkaState);
                RuleFileVersion inForce = null;
                if (in.readBoolean()) {
                    int number = in.readInt();
                    String sha256 = in.readUTF();
                    String origin = in.readUTF();
                    byte[] text = new byte[in.readInt()];
                    in.readFully(text);
                    inForce = new RuleFileVersion(number, sha256, new String(text, java.nio.charset.StandardCharsets.UTF_8), origin);
                }
                return new RulesTopicState(kafka.deserialize(kafkaVersion, kafkaState), inForce, in.readLong());
            }
        }
    }
}
