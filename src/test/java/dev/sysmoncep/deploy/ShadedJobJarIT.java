package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.cli.SysmonCep;
import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** target/sysmon-cep.jar as mvn package leaves it: what a cluster gets, and what it must not. */
class ShadedJobJarIT {
    static List<String> entries;
    static Manifest manifest;

    @BeforeAll
    static void readTheJar() throws IOException {
        try (JarFile jar = new JarFile(StandaloneFlinkCluster.requiredProperty("sysmoncep.jobJar"))) {
            entries = jar.stream().map(ZipEntry::getName).toList();
            manifest = jar.getManifest();
        }
    }

    @Test
    void itsMainClassIsTheOneEntryPointTheManifestsName() {
        assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo(SysmonCep.class.getName());
        assertThat(manifest.getMainAttributes().getValue("Implementation-Version")).isNotBlank();
    }

    @Test
    void itCarriesWhatAFlinkDistributionLacks() {
        assertThat(entries).contains(
                "dev/sysmoncep/cli/SysmonCep.class",
                "rules/wermgr-rules.yml",
                "org/apache/flink/cep/CEP.class",
                "org/apache/flink/connector/file/src/FileSource.class",
                "org/apache/flink/connector/base/source/reader/SourceReaderBase.class",
                "picocli/CommandLine.class",
                "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                "dev/sysmoncep/shaded/com/fasterxml/jackson/databind/ObjectMapper.class",
                "dev/sysmoncep/shaded/com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class",
                "dev/sysmoncep/shaded/org/yaml/snakeyaml/Yaml.class",
                "META-INF/services/dev.sysmoncep.shaded.com.fasterxml.jackson.core.JsonFactory");
    }

    @Test
    void itLeavesOutFlinkItselfWhatFlinkDistHasLoggingAndUnrelocatedJackson() {
        List<String> forbidden = List.of(
                "org/apache/flink/runtime/", "org/apache/flink/streaming/api/environment/", "org/apache/flink/api/common/",
                "org/apache/flink/core/", "org/apache/flink/shaded/", "org/apache/flink/client/",
                "org/apache/flink/state/rocksdb/", "org/rocksdb/",
                "org/slf4j/", "org/apache/logging/", "org/apache/log4j/", "ch/qos/logback/",
                "org/apache/commons/lang3/", "org/xerial/snappy/", "net/jpountz/",
                "com/fasterxml/", "org/yaml/snakeyaml/", "META-INF/versions/");
        assertThat(entries).noneMatch(e -> forbidden.stream().anyMatch(e::startsWith));
    }

    @Test
    void itHoldsTheJobOnlyNoBenchmarkNorTestHelper() {
        assertThat(entries).noneMatch(e -> e.startsWith("dev/sysmoncep/bench/") || e.startsWith("org/openjdk/jmh/")
                || e.startsWith("dev/sysmoncep/kafka/") || e.startsWith("org/junit/"));
    }

    @Test
    void itHasNoSignatureOrModuleDescriptorOfADependency() {
        assertThat(entries).noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)") || e.endsWith("module-info.class"));
    }
}
