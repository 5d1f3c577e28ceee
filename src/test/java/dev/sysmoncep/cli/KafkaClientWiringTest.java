package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.read.kafka.IdleAtEndSource;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every Kafka client of the stream job gets the security properties of --kafka-properties and the
 * SYSMON_CEP_KAFKA_* variables: the source (its consumer and its admin client are made from the same
 * properties, and so is the consumer that asks where partitions end) and the producers of alerts, dead
 * letters and late events. Checked on the job as
 * defined, before it runs, for TLS with a truststore and keystore and SASL/SCRAM, which the SASL
 * broker test does not reach.
 */
class KafkaClientWiringTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cep\" password=\"s3cr3t\";";

    @TempDir
    Path dir;

    @Test
    void theSourceAndEveryProducerGetTheSecurityProperties() throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "ssl.truststore.location=/etc/sysmon-cep/kafka-truststore.p12",
                "ssl.truststore.type=PKCS12",
                "ssl.keystore.location=/etc/sysmon-cep/kafka-keystore.p12",
                "ssl.endpoint.identification.algorithm=https",
                "client.dns.lookup=use_all_dns_ips"));
        Map<String, String> environment = Map.of(
                "SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "SYSMON_CEP_KAFKA_SSL_TRUSTSTORE_PASSWORD", "trust-pw",
                "SYSMON_CEP_KAFKA_SSL_KEYSTORE_PASSWORD", "key-pw");
        Map<String, String> security = Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/sysmon-cep/kafka-truststore.p12",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", "trust-pw",
                "ssl.keystore.location", "/etc/sysmon-cep/kafka-keystore.p12",
                "ssl.keystore.password", "key-pw",
                "ssl.endpoint.identification.algorithm", "https");

        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", "kafka-1.example:9093", "--topics", "sysmon",
                "--alert-topic", "alerts", "--dead-letter-topic", "dead-letters", "--late-topic", "late",
                "--kafka-properties", file.toString());
        StreamExecutionEnvironment env = command.defineJob(environment);

        List<IdleAtEndSource> sources = new ArrayList<>();
        List<KafkaSink<?>> sinks = new ArrayList<>();
        for (Transformation<?> t : everyTransformation(env)) {
            if (t instanceof SourceTransformation<?, ?, ?> source && source.getSource() instanceof IdleAtEndSource kafka) {
                sources.add(kafka);
            }
            if (t instanceof SinkTransformation<?, ?> sink && sink.getSink() instanceof KafkaSink<?> kafka) {
                sinks.add(kafka);
            }
        }
        assertThat(sources).hasSize(1);
        assertThat(sinks).as("alerts, dead letters, late events").hasSize(3);
        KafkaSource<?> kafka = field(sources.get(0), "kafka");
        Properties consumer = field(kafka, "props");
        assertThat(consumer).containsAllEntriesOf(security)
                .containsEntry("bootstrap.servers", "kafka-1.example:9093")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
        Properties ends = field(sources.get(0), "endsClient");
        assertThat(ends).containsAllEntriesOf(security)
                .containsEntry("bootstrap.servers", "kafka-1.example:9093")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
        for (KafkaSink<?> sink : sinks) {
            Properties producer = field(sink, "kafkaProducerConfig");
            assertThat(producer).containsAllEntriesOf(security)
                    .containsEntry("bootstrap.servers", "kafka-1.example:9093")
                    .containsEntry("transaction.timeout.ms", "900000");
        }
    }

    private static Set<Transformation<?>> everyTransformation(StreamExecutionEnvironment env) {
        Set<Transformation<?>> all = new LinkedHashSet<>();
        for (Transformation<?> t : env.getTransformations()) {
            all.addAll(t.getTransitivePredecessors());
        }
        return all;
    }

    /** The client properties a connector keeps; it shows them to no one but the clients it makes. */
    @SuppressWarnings("unchecked")
    private static <T> T field(Object connector, String name) throws ReflectiveOperationException {
        Field f = connector.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(connector);
    }
}
