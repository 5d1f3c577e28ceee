package dev.sysmoncep.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Kafka client properties for the source and the sinks (security, tuning), from a properties file
 * and from environment variables, which win: {@code SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG} sets
 * {@code sasl.jaas.config}, i.e. the rest of the name lower-cased with {@code _} for {@code .}
 * (Kafka's client property names have no underscores). Secrets are never shown:
 * {@link #toString()} redacts every value whose name says password, secret, JAAS, token,
 * credential or key material.
 */
public final class KafkaClientProperties {
    public static final String ENVIRONMENT_PREFIX = "SYSMON_CEP_KAFKA_";
    private static final String REDACTED = "[redacted]";
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|secret|jaas|token|credential|\\.key$|keystore\\.key|certificate).*");

    private final Properties properties;

    private KafkaClientProperties(Properties properties) {
        this.properties = properties;
    }

    /** The file's properties (when given), then every {@value #ENVIRONMENT_PREFIX}* variable. */
    public static KafkaClientProperties load(Path file, Map<String, String> environment) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
        }
        environment.forEach((name, value) -> {
            if (name.startsWith(ENVIRONMENT_PREFIX) && name.length() > ENVIRONMENT_PREFIX.length()) {
                p.setProperty(propertyName(name), value);
            }
        });
        return new KafkaClientProperties(p);
    }

    static String propertyName(String environmentVariable) {
        return environmentVariable.substring(ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** A copy, for one client. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    public String get(String name) {
        return properties.getProperty(name);
    }

    static boolean isSecret(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** The names and values, sorted, secrets redacted: fit for a log. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.stringPropertyNames().forEach(n -> shown.put(n, isSecret(n) ? REDACTED : properties.getProperty(n)));
        return shown.toString();
    }
}
