package dev.sysmoncep.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.runtime.entrypoint.ClusterEntrypoint;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Every configuration key Flink 2.2 knows, read from the ConfigOption constants of its *Options
 * classes in the jars a cluster runs (core, runtime, clients, streaming, RocksDB), so a typo or a
 * key that Flink 2 renamed is caught before a cluster silently ignores it.
 */
final class FlinkOptionKeys {
    /** Keys of components whose options are not on this class path: the operator and native Kubernetes, S3 plugins. */
    static final List<String> FOREIGN_PREFIXES = List.of("kubernetes.", "s3.", "fs.s3a.");

    private final Map<String, String> current = new HashMap<>();
    private final Map<String, String> deprecated = new HashMap<>();

    FlinkOptionKeys() {
        for (Class<?> anchor : List.of(CoreOptions.class, ClusterEntrypoint.class, CliFrontend.class,
                StreamExecutionEnvironment.class, RocksDBOptions.class)) {
            scan(jarOf(anchor));
        }
    }

    /** Null when Flink knows the key as it is; otherwise why not. */
    String problem(String key) {
        if (current.containsKey(key) || FOREIGN_PREFIXES.stream().anyMatch(key::startsWith)) {
            return null;
        }
        if (deprecated.containsKey(key)) {
            return key + " is deprecated: " + deprecated.get(key);
        }
        return key + " is no Flink 2.2 configuration key";
    }

    private void scan(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.startsWith("org/apache/flink/") && name.endsWith("Options.class") && !name.contains("$")) {
                    collect(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void collect(String className) {
        Class<?> options;
        try {
            options = Class.forName(className, true, FlinkOptionKeys.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError optionalDependencyMissing) {
            return;
        }
        for (Field f : options.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !ConfigOption.class.isAssignableFrom(f.getType())) {
                continue;
            }
            ConfigOption<?> option;
            try {
                option = (ConfigOption<?>) f.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (f.isAnnotationPresent(Deprecated.class)) {
                deprecated.put(option.key(), "the option is deprecated in " + options.getSimpleName());
            } else {
                current.put(option.key(), options.getSimpleName());
            }
            for (FallbackKey fallback : option.fallbackKeys()) {
                if (fallback.isDeprecated()) {
                    deprecated.put(fallback.getKey(), "use " + option.key());
                }
            }
        }
    }

    private static Path jarOf(Class<?> anchor) {
        try {
            return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
