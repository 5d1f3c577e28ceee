package dev.sysmoncep.cli;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.live.RulesTopic;
import dev.sysmoncep.detect.live.RulesTopicSource;
import dev.sysmoncep.read.kafka.IdleAtEndSource;
import dev.sysmoncep.read.kafka.KafkaSysmonSource;
import dev.sysmoncep.read.kafka.StartingOffsets;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.sink.OutputLines;
import dev.sysmoncep.sink.SampledLogSink;
import dev.sysmoncep.sink.kafka.KafkaOutputs;
import dev.sysmoncep.workflow.DetectionSettings;
import dev.sysmoncep.workflow.DetectionStreams;
import dev.sysmoncep.workflow.DetectionWorkflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code stream}: the detection as a long-running job in Flink's STREAMING mode, from Sysmon lines on
 * Kafka topics to alerts on a Kafka topic, exactly once. Alerts leave when they open (as soon as the
 * watermark shows their match is certain) and again, final, when their window closes if they changed.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the detection continuously in Flink's STREAMING mode: reads Sysmon lines (Splunk "
                    + "XmlWinEventLog, flat Sysmon JSON or Winlogbeat/Elastic Agent ECS JSON, one per record "
                    + "value) from Kafka and writes alerts (JSON, key = alert id) to a Kafka topic, exactly once.",
            "Kafka client properties (security, tuning) come from --kafka-properties FILE and from environment "
                    + "variables SYSMON_CEP_KAFKA_<NAME> (e.g. SYSMON_CEP_KAFKA_SASL_JAAS_CONFIG sets sasl.jaas.config), "
                    + "which win; their secrets are never logged. Runs on an embedded Flink, or on a cluster when "
                    + "submitted with flink run."})
public final class StreamCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamCommand.class);
    public static final String JOB_NAME = "sysmon-cep stream";
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
    /** How long the login check before the job waits for the brokers. */
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to (or bootstrap.servers in --kafka-properties).")
    String bootstrapServers;

    @ArgGroup(exclusive = true, multiplicity = "1")
    InputTopics input;

    static final class InputTopics {
        @Option(names = {"-t", "--topics"}, paramLabel = "TOPIC", split = ",", required = true,
                description = "Topics of Sysmon lines to read, comma-separated.")
        List<String> topics;

        @Option(names = "--topic-pattern", paramLabel = "REGEX", required = true,
                description = "Read every topic whose whole name matches, including topics created later "
                        + "(found every 5 minutes; partition.discovery.interval.ms).")
        Pattern topicPattern;
    }

    @Option(names = {"-g", "--group-id"}, paramLabel = "ID", defaultValue = "sysmon-cep",
            description = "Consumer group; offsets are committed to it at each checkpoint, for monitoring and "
                    + "--start-from committed (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--start-from", paramLabel = "WHERE", defaultValue = "committed", converter = StartingOffsetsConverter.class,
            description = "Where a job without checkpoint or savepoint starts: committed (the group's offsets, "
                    + "earliest where it has none), earliest, latest, or a time (ISO-8601 such as "
                    + "2024-03-12T09:00:00Z, or epoch milliseconds) (default: ${DEFAULT-VALUE}). A restored job "
                    + "always goes on from its checkpoint.")
    StartingOffsets startFrom;

    @Option(names = "--rules-topic", paramLabel = "TOPIC",
            description = "Follow the rules live from this topic (one partition, compacted): each record's value is a "
                    + "whole rule file. The job starts from the topic's latest valid file (else --rules) and takes each "
                    + "later one with a greater top-level version on every instance without a restart, if only what "
                    + "may change live changed; a refused record goes to the dead letters with its reason.")
    String rulesTopic;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties for reading and writing (security.protocol, sasl.*, ssl.*, "
                    + "tuning). SYSMON_CEP_KAFKA_* environment variables override them.")
    Path kafkaPropertiesFile;

    @Option(names = {"-a", "--alert-topic"}, paramLabel = "TOPIC",
            description = "Alerts go here: key = alert id, value = the alert document (JSON). Make it a "
                    + "compacted topic to keep each alert's latest state. This, --elasticsearch, or both.")
    String alertTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
            description = "Records that are not Sysmon events go here: value = the original bytes, reason and "
                    + "origin in sysmon-cep.* headers. Without it they are counted and logged, sampled.")
    String deadLetterTopic;

    @Option(names = "--late-topic", paramLabel = "TOPIC",
            description = "Events a rule matched that came later than the out-of-order tolerance go here (JSON). "
                    + "Without it they are counted and logged, sampled.")
    String lateTopic;

    @Option(names = "--delivery-guarantee", paramLabel = "GUARANTEE", defaultValue = "exactly-once",
            converter = DeliveryGuaranteeConverter.class,
            description = "exactly-once (Kafka transactions committed at each checkpoint: read the topics with "
                    + "isolation.level=read_committed), at-least-once (written at once, flushed at each checkpoint, "
                    + "may repeat after a failure) or none (default: ${DEFAULT-VALUE}).")
    DeliveryGuarantee deliveryGuarantee;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = "sysmon-cep",
            description = "Prefix of the Kafka transactional ids (exactly-once); each job writing to a cluster needs "
                    + "its own (default: ${DEFAULT-VALUE}).")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", paramLabel = "DURATION", defaultValue = "15m", converter = DurationConverter.class,
            description = "Kafka transaction.timeout.ms of the exactly-once writers: at most the brokers' "
                    + "transaction.max.timeout.ms (15m by default), and longer than a checkpoint interval plus the "
                    + "longest outage to recover from (default: ${DEFAULT-VALUE}).")
    Duration transactionTimeout;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Checkpoint (and so exactly-once commit) interval, exactly-once mode (default: the "
                    + "cluster's execution.checkpointing.interval, else 30s).")
    Duration checkpointInterval;

    @Option(names = "--state-backend", paramLabel = "hashmap|rocksdb",
            description = "hashmap keeps state on the heap (fast, bounded by memory; fine locally); rocksdb keeps "
                    + "it on local disk with incremental checkpoints (for a cluster) (default: the cluster's "
                    + "state.backend.type, else hashmap).")
    StateBackend stateBackend;

    enum StateBackend { HASHMAP, ROCKSDB }

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Where checkpoints are kept (file:///..., s3://...); they are then kept when the job is "
                    + "cancelled, to resume from (default: the cluster's execution.checkpointing.dir, else the "
                    + "JobManager's memory).")
    String checkpointDir;

    @Option(names = "--restore-from", paramLabel = "PATH",
            description = "Resume from this savepoint or retained checkpoint: its offsets, open alerts and pending "
                    + "matches (on a cluster, flink run -s does the same).")
    String restoreFrom;

    @Option(names = "--allow-non-restored-state",
            description = "With --restore-from: go on although the savepoint holds state no operator takes, e.g. "
                    + "of a dead-letter or late topic no longer given.")
    boolean allowNonRestoredState;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N",
            description = "Flink parallelism (default: the number of cores, or the cluster's default).")
    Integer parallelism;

    @Mixin
    DetectionOptions detection = new DetectionOptions();

    @Mixin
    ElasticsearchOptions elasticsearch = new ElasticsearchOptions();

    /** Runs the job until it is cancelled or fails (or, submitted detached to a cluster, submits it). */
    @Override
    public Integer call() throws Exception {
        if (kafkaPropertiesFile != null && !Files.isReadable(kafkaPropertiesFile)) {
            throw new ParameterException(spec.commandLine(), "--kafka-properties " + kafkaPropertiesFile + " is not readable");
        }
        StreamExecutionEnvironment env = defineJob(System.getenv());
        checkKafkaLogin(System.getenv());
        env.execute(JOB_NAME);
        return 0;
    }

    /** Submits the job and returns at once, for whoever runs it and cancels it (tests, benchmarks). */
    public JobClient start(Map<String, String> environment) throws Exception {
        StreamExecutionEnvironment env = defineJob(environment);
        checkKafkaLogin(environment);
        return env.executeAsync(JOB_NAME);
    }

    /** Once the options have passed their checks: the brokers take the job's login, or the command ends. */
    private void checkKafkaLogin(Map<String, String> environment) throws IOException {
        KafkaClientProperties client = KafkaClientProperties.load(kafkaPropertiesFile, environment);
        KafkaLogin.check(brokers(client), client.properties(), LOGIN_TIMEOUT);
    }

    /** --bootstrap-servers, else bootstrap.servers of the client properties. */
    private String brokers(KafkaClientProperties client) {
        return bootstrapServers != null ? bootstrapServers : client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** The whole job: source, the shared detection workflow, sinks, checkpointing. */
    StreamExecutionEnvironment defineJob(Map<String, String> environment) throws Exception {
        KafkaClientProperties client = KafkaClientProperties.load(kafkaPropertiesFile, environment);
        String brokers = brokers(client);
        if (brokers == null || brokers.isBlank()) {
            throw new ParameterException(spec.commandLine(),
                    "Missing --bootstrap-servers (or bootstrap.servers in --kafka-properties)");
        }
        if (alertTopic == null && !elasticsearch.enabled()) {
            throw new ParameterException(spec.commandLine(), "Alerts need somewhere to go: give --alert-topic, "
                    + "--elasticsearch, or both");
        }
        Properties rulesClient = null;
        RulesTopic.Start rulesStart = null;
        if (rulesTopic != null) {
            if (input.topics != null ? input.topics.contains(rulesTopic) : input.topicPattern.matcher(rulesTopic).matches()) {
                throw new ParameterException(spec.commandLine(), "--rules-topic " + rulesTopic + " is also an input topic; "
                        + "its rule files would be read as Sysmon lines");
            }
            rulesClient = RulesCommand.rulesTopicClient(client.properties(), brokers, groupId);
            rulesStart = RulesCommand.startFromTopic(rulesClient, rulesTopic, detection.rules());
        }
        DetectionSettings settings = (rulesStart != null ? detection.settings(rulesStart.rules()) : detection.settings())
                .emitOnOpen(true);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration());
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        Duration interval = checkpointInterval != null ? checkpointInterval
                : env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).orElse(DEFAULT_CHECKPOINT_INTERVAL);
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE && interval.compareTo(transactionTimeout) >= 0) {
            throw new ParameterException(spec.commandLine(), "the checkpoint interval (" + interval + ") must be shorter "
                    + "than --transaction-timeout (" + transactionTimeout + "): a transaction stays open until the "
                    + "checkpoint after it");
        }
        env.enableCheckpointing(interval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }

        KafkaSysmonSource source = new KafkaSysmonSource(brokers, input.topics, input.topicPattern, groupId, startFrom,
                client.properties());
        KafkaOutputs outputs = new KafkaOutputs(brokers, client.properties(), deliveryGuarantee, transactionalIdPrefix,
                transactionTimeout);
        IdleAtEndSource events = source.build(settings.maxLineBytes(), settings.idleness(), CandidateFilter.of(settings.rules()));
        DetectionStreams streams = DetectionWorkflow.defineWorkflow(env, rulesTopic == null ? events
                : new RulesTopicSource(events, settings.rules(), rulesTopic, rulesStart.fromOffset(), rulesClient), settings);

        // The alert sink runs at the job's parallelism, chained to the operator that raised each alert,
        // so all updates of one alert go through one producer, in order, to one partition.
        if (alertTopic != null) {
            streams.alerts().sinkTo(outputs.alerts(alertTopic)).name("Kafka alerts " + alertTopic).uid("kafka-alerts");
        }
        elasticsearch.attach(streams.alerts());

        if (deadLetterTopic != null) {
            streams.deadLetters().sinkTo(outputs.deadLetters(deadLetterTopic))
                    .name("Kafka dead letters " + deadLetterTopic).uid("kafka-dead-letters");
        } else {
            streams.deadLetters().sinkTo(new SampledLogSink<DeadLetter>("dead letters", DeadLetter::toString))
                    .name("Log dead letters").uid("log-dead-letters");
        }

        DataStream<SysmonEvent> late = streams.lateEvents();
        if (lateTopic != null) {
            late.sinkTo(outputs.lateEvents(lateTopic)).name("Kafka late events " + lateTopic).uid("kafka-late-events");
        } else {
            late.sinkTo(new SampledLogSink<SysmonEvent>("late events", OutputLines::lateEvent))
                    .name("Log late events").uid("log-late-events");
        }

        LOG.info("sysmon-cep stream: reading {}", source.describe(restoreFrom));
        LOG.info("sysmon-cep stream: {}{}", settings.rules().fileVersion(), rulesTopic == null ? ""
                : "; following rules topic " + rulesTopic + " from offset " + rulesStart.fromOffset()
                        + " (a restored job goes on from its checkpoint's version and offset)");
        LOG.info("sysmon-cep stream: alerts to {}, dead letters to {}, late events to {}; delivery {}{}, checkpoints "
                        + "every {}", alertTopic != null ? alertTopic : "Elasticsearch only", deadLetterTopic != null ? deadLetterTopic : "the log (sampled)",
                lateTopic != null ? lateTopic : "the log (sampled)", deliveryGuarantee,
                deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE
                        ? " (transactional ids " + transactionalIdPrefix + "-*, timeout " + transactionTimeout + ")" : "",
                interval);
        LOG.info("sysmon-cep stream: Kafka client properties {}", client);
        return env;
    }

    private Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        if (stateBackend != null) {
            conf.set(StateBackendOptions.STATE_BACKEND, stateBackend.name().toLowerCase(Locale.ROOT));
            if (stateBackend == StateBackend.ROCKSDB) {
                conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            }
        }
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
        }
        return conf;
    }

    static final class StartingOffsetsConverter implements ITypeConverter<StartingOffsets> {
        @Override
        public StartingOffsets convert(String text) {
            return StartingOffsets.parse(text);
        }
    }

    static final class DeliveryGuaranteeConverter implements ITypeConverter<DeliveryGuarantee> {
        @Override
        public DeliveryGuarantee convert(String text) {
            return DeliveryGuarantee.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }
}
