package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cep\" password=\"s3cr3t\";";

    @TempDir
    Path dir;

    @Test
    void environmentVariablesNameKafkaPropertiesAndWinOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nssl.truststore.location=/etc/kafka/trust.p12\n");
        KafkaClientProperties p = KafkaClientProperties.load(file, Map.of(
                "SYSMON_CEP_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "SYSMON_CEP_JAVA_OPTS", "-Xmx1g",
                "PATH", "/usr/bin"));
        assertThat(p.properties()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", JAAS),
                Map.entry("ssl.truststore.location", "/etc/kafka/trust.p12"));
    }

    @Test
    void secretsNeverShowInWhatIsLogged() throws Exception {
        KafkaClientProperties p = KafkaClientProperties.load(null, Map.of(
                "SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "SYSMON_CEP_KAFKA_SSL_KEYSTORE_PASSWORD", "k3y",
                "SYSMON_CEP_KAFKA_SSL_KEY_PASSWORD", "k3y2",
                "SYSMON_CEP_KAFKA_SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_SECRET", "0auth",
                "SYSMON_CEP_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"));
        assertThat(p.toString())
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=[redacted]")
                .doesNotContain("s3cr3t", "k3y", "0auth");
    }
}
