package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import dev.sysmoncep.cli.SysmonCep;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * k8s/ as the Flink Kubernetes Operator and Kubernetes will take it: every FlinkDeployment
 * against the operator's CRD schema (src/test/resources/k8s-crds), with unknown fields refused
 * as kubectl's strict field validation does, and against the build: the job jar and its main
 * class, the Flink version, the arguments the job accepts, flink-conf/config.yaml, the image.
 */
class KubernetesManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path K8S = Path.of("k8s");
    private static final Set<String> NOT_RESOURCES = Set.of("kustomization.yaml", "kustomizeconfig.yaml");
    private static final String SECRET_TEMPLATE = "secret-template.yaml";
    private static final Pattern CREDENTIAL = Pattern.compile("(?i).*(password|secret|jaas|token|access.?key|api.?key).*");
    /** Where each environment keeps its state: local files in flink-conf/, object storage on Kubernetes. */
    private static final Set<String> STORAGE_LOCATIONS = Set.of("execution.checkpointing.dir",
            "execution.checkpointing.savepoint-dir", "high-availability.storageDir");

    record Manifest(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return file.getFileName() + " " + kind() + " " + node.at("/metadata/name").asText();
        }

        Map<String, String> flinkConfiguration() {
            Map<String, String> conf = new TreeMap<>();
            node.at("/spec/flinkConfiguration").fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
            return conf;
        }

        List<JsonNode> containers() {
            List<JsonNode> containers = new ArrayList<>();
            node.at("/spec/podTemplate/spec/containers").forEach(containers::add);
            return containers;
        }
    }

    static List<Manifest> resources() throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (!NOT_RESOURCES.contains(file.getFileName().toString())) {
                    YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class)
                            .readAll().forEach(n -> manifests.add(new Manifest(file, n)));
                }
            }
        }
        return manifests;
    }

    static List<Manifest> flinkDeployments() throws IOException {
        return resources().stream().filter(m -> m.kind().equals("FlinkDeployment")).toList();
    }

    /** The operator's CRDs by kind: served apiVersions and each one's schema. */
    static Map<String, Map<String, JsonNode>> crds() throws IOException {
        Map<String, Map<String, JsonNode>> byKind = new HashMap<>();
        for (String file : List.of("flinkdeployments.flink.apache.org-v1.yml", "flinksessionjobs.flink.apache.org-v1.yml")) {
            try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/k8s-crds/" + file)) {
                JsonNode crd = YAML.readTree(in);
                Map<String, JsonNode> versions = new HashMap<>();
                for (JsonNode v : crd.at("/spec/versions")) {
                    if (v.path("served").asBoolean()) {
                        versions.put(crd.at("/spec/group").asText() + "/" + v.path("name").asText(),
                                v.at("/schema/openAPIV3Schema"));
                    }
                }
                byKind.put(crd.at("/spec/names/kind").asText(), versions);
            }
        }
        return byKind;
    }

    /**
     * OpenAPI 3.0 schemas as CRDs carry them; the Kubernetes extensions they use say what
     * {@link #strict} and anyOf already express.
     */
    static final SchemaRegistry CRD_SCHEMAS = SchemaRegistry.withDefaultDialect(Dialect.builder(Dialects.getOpenApi30())
            .keyword(new NonValidationKeyword("x-kubernetes-preserve-unknown-fields"))
            .keyword(new NonValidationKeyword("x-kubernetes-int-or-string"))
            .build());

    /**
     * The CRD schema as the API server applies it with strict field validation: an object that
     * lists its fields and does not keep unknown ones refuses any other field; apiVersion, kind and
     * metadata are implied at the top.
     */
    static JsonNode strict(JsonNode openApiSchema) {
        ObjectNode schema = openApiSchema.deepCopy();
        refuseUnknownFields(schema);
        ObjectNode root = (ObjectNode) schema.get("properties");
        root.putObject("apiVersion").put("type", "string");
        root.putObject("kind").put("type", "string");
        root.putObject("metadata").put("type", "object");
        return schema;
    }

    private static void refuseUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean()
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
        }
        node.forEach(KubernetesManifestsTest::refuseUnknownFields);
    }

    @TestFactory
    Stream<DynamicTest> everyFlinkResourceIsValidForTheOperatorsCrd() throws IOException {
        Map<String, Map<String, JsonNode>> crds = crds();
        return resources().stream().filter(m -> crds.containsKey(m.kind())).map(m -> DynamicTest.dynamicTest(m.name(), () -> {
            JsonNode openApi = crds.get(m.kind()).get(m.node().path("apiVersion").asText());
            assertThat(openApi).as("%s: apiVersion %s is not served by the CRD", m.name(), m.node().path("apiVersion"))
                    .isNotNull();
            Schema schema = CRD_SCHEMAS.getSchema(strict(openApi));
            assertThat(schema.validate(m.node())).as(m.name()).isEmpty();
        }));
    }

    @Test
    void theStrictSchemaRefusesAMisspelledField() throws IOException {
        Manifest stream = flinkDeployments().get(0);
        ObjectNode misspelt = stream.node().deepCopy();
        ((ObjectNode) misspelt.at("/spec/job")).put("upgradeMod", "savepoint");
        Schema schema = CRD_SCHEMAS.getSchema(strict(crds().get("FlinkDeployment").get("flink.apache.org/v1beta1")));
        assertThat(schema.validate(misspelt)).extracting(Object::toString).anyMatch(e -> e.contains("upgradeMod"));
    }

    @Test
    void everyManifestRunsTheShadedJobJarWithItsMainClass() throws IOException {
        String jar = Path.of(StandaloneFlinkCluster.requiredProperty("sysmoncep.jobJar")).getFileName().toString();
        for (Manifest m : flinkDeployments()) {
            assertThat(m.node().at("/spec/job/jarURI").asText()).as(m.name()).isEqualTo("local:///opt/flink/usrlib/" + jar);
            assertThat(m.node().at("/spec/job/entryClass").asText()).as(m.name()).isEqualTo(SysmonCep.class.getName());
        }
    }

    @Test
    void flinkVersionIsTheOneTheJobIsBuiltAgainst() throws IOException {
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        for (Manifest m : flinkDeployments()) {
            assertThat(m.node().at("/spec/flinkVersion").asText()).as(m.name())
                    .isEqualTo("v" + version[0] + "_" + version[1]);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJobsArgumentsAreAcceptedByTheJob() throws IOException {
        return flinkDeployments().stream().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
            List<String> args = new ArrayList<>();
            m.node().at("/spec/job/args").forEach(a -> args.add(a.asText()));
            CommandLine cli = SysmonCep.commandLine();
            Assumptions.assumeTrue(cli.getSubcommands().containsKey(args.get(0)), () -> m.name() + ": this build has no `"
                    + args.get(0) + "` command yet (it comes with branch kafka), so its arguments are not checked");
            try {
                cli.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError(m.name() + ": sysmon-cep refuses " + args + ": " + e.getMessage(), e);
            }
        }));
    }

    @Test
    void theImageIsTheOfficialFlinkImageWithTheJobJarWhereJarUriPoints() throws IOException {
        List<String> dockerfile = Files.readAllLines(K8S.resolve("Dockerfile"));
        assertThat(dockerfile).contains("FROM flink:" + EnvironmentInformation.getVersion() + "-scala_2.12-java17");
        String jar = Path.of(StandaloneFlinkCluster.requiredProperty("sysmoncep.jobJar")).getFileName().toString();
        assertThat(dockerfile).contains("COPY --chown=flink:flink target/" + jar + " /opt/flink/usrlib/" + jar);
        assertThat(dockerfile).anyMatch(l -> l.contains("/opt/flink/opt/flink-s3-fs-hadoop-") && l.contains("/opt/flink/plugins/"));
    }

    @Test
    void podsRunAsFlinkWithoutRootPrivilegesOrWritableImage() throws IOException {
        for (Manifest m : flinkDeployments()) {
            JsonNode pod = m.node().at("/spec/podTemplate/spec");
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as(m.name()).isEqualTo(9999);
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(m.name()).isTrue();
            assertThat(m.containers()).as(m.name()).extracting(c -> c.path("name").asText()).contains("flink-main-container");
            for (JsonNode c : m.containers()) {
                JsonNode security = c.path("securityContext");
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(m.name()).isFalse();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(m.name()).isTrue();
                assertThat(security.at("/capabilities/drop").toString()).as(m.name()).contains("\"ALL\"");
                List<String> mounts = new ArrayList<>();
                c.path("volumeMounts").forEach(v -> mounts.add(v.path("mountPath").asText()));
                assertThat(mounts).as("%s: where Flink writes", m.name()).contains("/tmp", "/opt/flink/log");
            }
        }
    }

    @Test
    void credentialsComeFromTheSecretOnlyAndItsTemplateHoldsNoSecret() throws IOException {
        JsonNode template = YAML.readTree(K8S.resolve(SECRET_TEMPLATE).toFile());
        Set<String> keys = new HashSet<>();
        template.path("stringData").fields().forEachRemaining(e -> {
            keys.add(e.getKey());
            assertThat(e.getValue().asText()).as("template value of %s", e.getKey()).contains("CHANGE_ME");
        });
        String secretName = template.at("/metadata/name").asText();

        for (Manifest m : flinkDeployments()) {
            for (JsonNode c : m.containers()) {
                for (JsonNode env : c.path("env")) {
                    String name = env.path("name").asText();
                    JsonNode ref = env.at("/valueFrom/secretKeyRef");
                    if (CREDENTIAL.matcher(name).matches()) {
                        assertThat(ref.isMissingNode()).as("%s: %s must come from a Secret", m.name(), name).isFalse();
                    }
                    if (!ref.isMissingNode()) {
                        assertThat(ref.path("name").asText()).as(m.name() + " " + name).isEqualTo(secretName);
                        assertThat(keys).as(m.name() + " " + name).contains(ref.path("key").asText());
                    }
                }
            }
            m.node().at("/spec/job/args").forEach(a ->
                    assertThat(CREDENTIAL.matcher(a.asText()).matches()).as("%s: argument %s", m.name(), a).isFalse());
            assertThat(m.flinkConfiguration().keySet()).as(m.name()).noneMatch(k -> CREDENTIAL.matcher(k).matches());
        }
    }

    @Test
    void theKustomizationAppliesEveryManifestButTheSecretTemplate() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        List<String> manifests = resources().stream().map(m -> m.file().getFileName().toString())
                .filter(f -> !f.equals(SECRET_TEMPLATE)).distinct().toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(manifests);
        kustomization.path("configurations").forEach(c -> assertThat(K8S.resolve(c.asText())).exists());
        Set<String> images = new HashSet<>();
        kustomization.path("images").forEach(i -> images.add(i.path("name").asText()));
        for (Manifest m : flinkDeployments()) {
            assertThat(images).as(m.name()).contains(m.node().at("/spec/image").asText().split(":")[0]);
        }
    }

    @Test
    void flinkConfigurationUsesFlinksKeysAndAgreesWithFlinkConf() throws IOException {
        FlinkOptionKeys known = new FlinkOptionKeys();
        Map<String, String> cluster = FlinkConfTest.load("flink-conf").toMap();
        for (Manifest m : flinkDeployments()) {
            Map<String, String> conf = m.flinkConfiguration();
            assertThat(conf.keySet().stream().map(known::problem).filter(p -> p != null)).as(m.name()).isEmpty();
            for (Map.Entry<String, String> e : conf.entrySet()) {
                if (cluster.containsKey(e.getKey()) && !STORAGE_LOCATIONS.contains(e.getKey())) {
                    assertThat(e.getValue()).as("%s: %s against flink-conf/config.yaml", m.name(), e.getKey())
                            .isEqualTo(cluster.get(e.getKey()));
                }
            }
        }
    }

    @Test
    void savepointUpgradesHaveDurableStateAndKubernetesHighAvailability() throws IOException {
        for (Manifest m : flinkDeployments()) {
            String upgradeMode = m.node().at("/spec/job/upgradeMode").asText();
            if (upgradeMode.equals("stateless")) {
                continue;
            }
            Map<String, String> conf = m.flinkConfiguration();
            for (String location : STORAGE_LOCATIONS) {
                assertThat(conf.get(location)).as("%s: %s", m.name(), location).startsWith("s3://");
            }
            assertThat(conf.get("high-availability.type")).as(m.name()).isEqualTo("kubernetes");
            assertThat(conf.get("execution.checkpointing.externalized-checkpoint-retention"))
                    .as(m.name()).isEqualTo("RETAIN_ON_CANCELLATION");
        }
    }
}
