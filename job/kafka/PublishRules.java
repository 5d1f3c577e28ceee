import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a whole rule file as one record (key "rules") to a rules topic, which a console producer,
 * one record per line, cannot. Run by job/kafka-local publish-rules: BROKERS TOPIC FILE.
 */
public final class PublishRules {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        byte[] file = Files.readAllBytes(Path.of(args[2]));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata at = producer.send(new ProducerRecord<>(args[1], 0, "rules".getBytes(), file)).get();
            System.out.println("kafka-local: wrote " + args[2] + " (" + file.length + " bytes) to " + args[1] + " at offset "
                    + at.offset());
        }
    }
}
