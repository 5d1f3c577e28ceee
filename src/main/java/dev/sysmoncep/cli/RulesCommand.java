package dev.sysmoncep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.detect.RuleDefinition.MitreTag;
import dev.sysmoncep.detect.RuleDefinition;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.detect.live.RulesTopic;
import dev.sysmoncep.records.Severity;
import dev.sysmoncep.workflow.DetectionSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rules}: what the job checks, without reading code: every rule with its ids, MITRE tags,
 * risk, the patterns and list entries it matches, what it groups by, and the windows in force
 * with the same options a replay or stream would run with.
 */
@Command(name = "rules", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lists the rules in force: ids, names, type, MITRE ATT&CK tactic and technique, risk, "
                + "the field patterns and list entries they match, their grouping, and the windows, as the "
                + "given --rules file and window options make them.")
public final class RulesCommand implements Callable<Integer> {
    /** Output format; lower case, as typed on the command line. */
    enum Format { text, json }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Mixin
    DetectionOptions detection = new DetectionOptions();

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "With --rules-topic: the Kafka brokers (or bootstrap.servers in --kafka-properties).")
    String bootstrapServers;

    @Option(names = "--rules-topic", paramLabel = "TOPIC",
            description = "List the rules a stream following this topic starts from now (its latest valid rule file), "
                    + "and print the version the running job of --group-id has in force.")
    String rulesTopic;

    @Option(names = {"-g", "--group-id"}, paramLabel = "ID", defaultValue = "sysmon-cep",
            description = "With --rules-topic: the stream job's consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "With --rules-topic: Kafka client properties (security); SYSMON_CEP_KAFKA_* environment "
                    + "variables override them.")
    Path kafkaPropertiesFile;

    /** With --rules-topic: what a job starting now takes, and what the group's running job has in force (or null). */
    private RulesTopic.Start start;
    private RulesTopic.InForce inForce;

    @Override
    public Integer call() throws IOException {
        DetectionSettings settings = rulesTopic == null ? detection.settings() : fromRulesTopic();
        PrintWriter out = spec.commandLine().getOut();
        out.print(format == Format.json ? json(settings).toPrettyString() + System.lineSeparator() : text(settings));
        out.flush();
        return 0;
    }

    private DetectionSettings fromRulesTopic() throws IOException {
        KafkaClientProperties client = KafkaClientProperties.load(kafkaPropertiesFile, System.getenv());
        String brokers = bootstrapServers != null ? bootstrapServers : client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (brokers == null || brokers.isBlank()) {
            throw UserError.usage("--rules-topic needs --bootstrap-servers (or bootstrap.servers in --kafka-properties)",
                    "give the brokers the stream job reads from");
        }
        Properties rulesClient = rulesTopicClient(client.properties(), brokers, groupId);
        start = startFromTopic(rulesClient, rulesTopic, detection.rules());
        try {
            inForce = RulesTopic.inForce(rulesClient, rulesTopic);
        } catch (RuntimeException e) {
            throw UserError.unreachable("Kafka", brokers, "check the brokers and the login", e);
        }
        return detection.settings(start.rules());
    }

    /** Where the rules listed come from. */
    private String source() {
        return start == null ? detection.rulesSource() : "rules topic " + rulesTopic + ": " + start.rules().fileVersion().origin;
    }

    /** Client properties for the rules topic: the job's login, its brokers and its group. */
    static Properties rulesTopicClient(Properties client, String brokers, String groupId) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(CommonClientConfigs.GROUP_ID_CONFIG, groupId);
        return p;
    }

    /** The rules a stream following the topic starts from now; a topic that cannot be used is a user error. */
    static RulesTopic.Start startFromTopic(Properties client, String topic, RuleSet fallback) {
        try {
            return RulesTopic.start(client, topic, fallback);
        } catch (IllegalArgumentException unusable) {
            throw UserError.config(unusable.getMessage(), "create the topic with kafka-topics.sh --create --topic " + topic
                    + " --partitions 1 --config cleanup.policy=compact, or give another --rules-topic");
        } catch (RuntimeException e) {
            throw UserError.unreachable("Kafka", String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)),
                    "check the brokers and the login", e);
        }
    }

    ObjectNode json(DetectionSettings settings) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("source", source());
        ObjectNode file = doc.putObject("file");
        file.put("version", settings.rules().fileVersion().version);
        file.put("sha256", settings.rules().fileVersion().sha256);
        if (rulesTopic != null) {
            ObjectNode running = doc.putObject("in_force");
            running.put("group_id", groupId);
            if (inForce != null) {
                running.put("version", inForce.version());
                running.put("next_offset", inForce.nextOffset());
            }
        }
        ArrayNode rules = doc.putArray("rules");
        settings.rules().eventRules().forEach(r -> rules.add(rule(r.definition())));
        ArrayNode sequences = doc.putArray("sequences");
        for (SequenceRule s : settings.rules().sequences()) {
            ObjectNode node = rule(s.definition());
            node.put("window", settings.sequenceWindow().toString());
            sequences.add(node);
        }
        ObjectNode windows = doc.putObject("windows");
        windows.put("suppression", settings.suppressionWindow().toString());
        windows.put("sequence", settings.sequenceWindow().toString());
        windows.put("out_of_orderness", settings.outOfOrderness().toString());
        windows.put("allowed_lateness", settings.allowedLateness().toString());
        windows.put("idleness", settings.idleness().toString());
        return doc;
    }

    private static ObjectNode rule(RuleDefinition d) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", d.id);
        r.put("name", d.name);
        r.put("type", d.type);
        r.put("version", d.version);
        r.put("author", d.author);
        r.put("risk_score", d.riskScore);
        r.put("severity", Severity.of(d.riskScore).label());
        r.put("impact", d.impact);
        r.put("confidence", d.confidence);
        tags(r.putArray("tactics"), d.tactics);
        tags(r.putArray("techniques"), d.techniques);
        if (!d.match.isEmpty()) {
            ObjectNode match = r.putObject("match");
            d.match.forEach((field, patterns) -> patterns.forEach(match.withArray(field)::add));
            d.groupBy.forEach(r.putArray("group_by")::add);
        }
        if (!d.parts.isEmpty()) {
            d.parts.forEach(r.putArray("parts")::add);
        }
        r.put("message", d.message);
        d.references.forEach(r.putArray("references")::add);
        return r;
    }

    private static void tags(ArrayNode into, List<MitreTag> tags) {
        for (MitreTag t : tags) {
            ObjectNode tag = into.addObject().put("id", t.id).put("name", t.name);
            if (t.parent != null) {
                tag.put("parent", t.parent);
            }
        }
    }

    String text(DetectionSettings settings) {
        StringBuilder t = new StringBuilder();
        if (start != null) {
            t.append("In force in group ").append(groupId).append("'s running job: ").append(inForce == null
                    ? "no version taken from " + rulesTopic + " yet"
                    : inForce.version() + " (rules topic offset " + inForce.nextOffset() + " read)").append(System.lineSeparator());
            t.append("A job starting now takes ").append(start.rules().fileVersion()).append(System.lineSeparator());
            start.skipped().forEach(reason -> t.append("  not a rule file, passed over: ").append(reason).append(System.lineSeparator()));
            t.append(System.lineSeparator());
        }
        t.append("Rules in force (").append(source()).append(", version ")
                .append(settings.rules().fileVersion().version).append(", sha256 ").append(settings.rules().fileVersion().shortHash())
                .append(")").append(System.lineSeparator());
        settings.rules().eventRules().forEach(r -> ruleText(t, r.definition(), settings));
        settings.rules().sequences().forEach(s -> ruleText(t, s.definition(), settings));
        t.append(System.lineSeparator()).append("Windows in force").append(System.lineSeparator());
        window(t, "suppression", settings.suppressionWindow(),
                "events of a group within this time after an alert's first event join that alert");
        window(t, "sequence", settings.sequenceWindow(),
                "the parts of a sequence must happen within this time of each other");
        window(t, "out-of-orderness", settings.outOfOrderness(),
                "streaming: an event this far behind newer ones counts as late (a replay sorts by time)");
        window(t, "allowed-lateness", settings.allowedLateness(),
                "streaming: a late event this far behind still raises its alert, marked late; later ones go aside");
        window(t, "idleness", settings.idleness(),
                "streaming: a partition read to its end and quiet this long stops holding the watermark back");
        return t.toString();
    }

    private static void window(StringBuilder t, String name, Duration window, String meaning) {
        t.append(String.format(Locale.ROOT, "  %-17s %-6s %s%n", name, Human.window(window), meaning));
    }

    private void ruleText(StringBuilder t, RuleDefinition d, DetectionSettings settings) {
        boolean sequence = !d.parts.isEmpty();
        t.append(System.lineSeparator());
        t.append(d.id).append("  ").append(d.name).append(System.lineSeparator());
        t.append(String.format(Locale.ROOT, "  type %s, risk %d (%s; impact %d, confidence %d), version %d, by %s%n",
                d.type, d.riskScore, Severity.of(d.riskScore).label(), d.impact, d.confidence, d.version, d.author));
        t.append("  MITRE ATT&CK  ").append(mitre(d.tactics)).append(" / ").append(mitre(d.techniques))
                .append(System.lineSeparator());
        if (sequence) {
            t.append("  fires when all of these match one process (same host and ProcessGuid), in any order,")
                    .append(System.lineSeparator())
                    .append("  within ").append(Human.window(settings.sequenceWindow())).append(" of each other:")
                    .append(System.lineSeparator());
            for (String part : d.parts) {
                t.append("    ").append(part).append("  ").append(settings.rules().definition(part).name)
                        .append(System.lineSeparator());
            }
        } else {
            int width = d.match.keySet().stream().mapToInt(String::length).max().orElse(0);
            t.append("  matches (every field; any value listed; case-insensitive, * = any text)")
                    .append(System.lineSeparator());
            for (Map.Entry<String, ArrayList<String>> m : d.match.entrySet()) {
                List<String> values = m.getValue();
                String label = String.format(Locale.ROOT, "    %-" + width + "s  ", m.getKey());
                if (values.size() <= 3) {
                    t.append(label).append(String.join("  |  ", values)).append(System.lineSeparator());
                } else {
                    t.append(label).append("any of ").append(values.size()).append(':').append(System.lineSeparator());
                    for (String v : values) {
                        t.append(" ".repeat(label.length() + 2)).append(v).append(System.lineSeparator());
                    }
                }
            }
            t.append("  groups by  ").append(String.join(", ", d.groupBy)).append(System.lineSeparator());
        }
        t.append("  one alert per group per ").append(Human.window(settings.suppressionWindow()))
                .append(" (suppression window)").append(System.lineSeparator());
        t.append("  message  ").append(d.message).append(System.lineSeparator());
    }

    private static String mitre(List<MitreTag> tags) {
        StringBuilder s = new StringBuilder();
        for (MitreTag tag : tags) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(tag.id).append(' ').append(tag.name);
        }
        return s.toString();
    }
}
