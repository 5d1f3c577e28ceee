package dev.sysmoncep.bench;

import dev.sysmoncep.cli.DurationConverter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.ExpectedAlerts;
import dev.sysmoncep.generate.GenerateCommand;
import dev.sysmoncep.generate.GeneratedFormat;
import dev.sysmoncep.generate.WermgrAttacks;
import dev.sysmoncep.kafka.KafkaBrokerProcess;
import dev.sysmoncep.kafka.KafkaTestBroker;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The stream job on a real broker, started in this JVM (KRaft, the test kit), in its own JVM
 * ({@code --broker-process 1g}), or one named by {@code --bootstrap-servers}: first {@link KafkaDrain} (the job's sustained rate on a
 * backlog of generated events or of a file's lines, and a plain Kafka Streams app's on the same backlog), then
 * {@link KafkaLatency} (alert delay at a steady write rate).
 * {@code sysmon-cep bench --bootstrap-servers} measures the same on an existing broker.
 *
 * <p>Run it ({@code --help} lists the options):
 * <pre>
 * job/sysmon-cep bench kafka --broker-process 1g --drain-events 5000000 --rate 20000 --out-of-orderness 2s
 * </pre>
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "The stream job on a real broker: the rate at which it drains a backlog (and a plain Kafka Streams "
                + "app's on the same backlog), then the alert delay at a steady write rate.")
public final class KafkaLatencyBench implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", description = "A broker to use instead of one started in this JVM.")
    String bootstrapServers;

    @Option(names = "--broker-process", paramLabel = "MAX_HEAP",
            description = "Start the broker in its own JVM with this -Xmx (e.g. 1g) instead of in this one, so its "
                    + "threads, heap and garbage collection are apart from the job's.")
    String brokerProcessHeap;

    @Option(names = "--drain-events", defaultValue = "0",
            description = "Generated events to write first and have the job, then the Kafka Streams app, drain; 0 skips "
                    + "the drain (default: ${DEFAULT-VALUE}).")
    long drainEvents;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Drain the lines of this file (e.g. real logs) instead of generated events.")
    Path input;

    @Option(names = "--format", defaultValue = "json", converter = GenerateCommand.FormatOption.class,
            description = "Line format of the drained events: json, xml, ecs or mixed (default: ${DEFAULT-VALUE}).")
    GeneratedFormat format;

    @Option(names = "--attacks-per-million", defaultValue = "20",
            description = "Attack scenarios among the drained events (default: ${DEFAULT-VALUE}).")
    double attacksPerMillion;

    @Option(names = "--rate", description = "Background events per second written while delays are measured "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "2000")
    int rate;

    @Option(names = "--duration", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long attacks are written and measured, after the warm-up; 0s skips the delay "
                    + "measurement (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warm-up", converter = DurationConverter.class, defaultValue = "60s",
            description = "Events written before this are not measured: the job's code is still being compiled "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(names = "--attack-every", converter = DurationConverter.class, defaultValue = "250ms",
            description = "A new attacking process this often (default: ${DEFAULT-VALUE}).")
    Duration attackEvery;

    @Option(names = "--partitions", defaultValue = "4", description = "Input topic partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", description = "(default: ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(names = "--out-of-orderness", converter = DurationConverter.class, defaultValue = "30s",
            description = "(default: ${DEFAULT-VALUE})")
    Duration outOfOrderness;

    @Option(names = "--delivery-guarantee", defaultValue = "exactly-once", description = "(default: ${DEFAULT-VALUE})")
    String deliveryGuarantee;

    @Option(names = "--kafka-property", paramLabel = "NAME=VALUE",
            description = "A Kafka client property of the stream job (as SYSMON_CEP_KAFKA_* gives it), e.g. "
                    + "max.partition.fetch.bytes=4194304; repeat for more.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--rules-topic", description = "The stream job follows a rules topic (stream --rules-topic), "
            + "to measure what that costs.")
    boolean followsRulesTopic;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (bootstrapServers != null) {
            return measure(bootstrapServers);
        }
        if (brokerProcessHeap != null) {
            try (KafkaBrokerProcess broker = new KafkaBrokerProcess()) {
                broker.start(brokerProcessHeap);
                return measure(broker.bootstrapServers());
            }
        }
        try (KafkaTestBroker broker = new KafkaTestBroker()) {
            broker.start();
            return measure(broker.bootstrapServers());
        }
    }

    private int measure(String brokers) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        KafkaBenchRun.JobOptions job = new KafkaBenchRun.JobOptions(partitions, parallelism, checkpointInterval,
                outOfOrderness, deliveryGuarantee, kafkaProperties, followsRulesTopic);
        boolean measured = true;
        if (input != null) {
            if (!Files.isRegularFile(input)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input must be a file: " + input);
            }
            KafkaDrain drain = new KafkaDrain(job, brokers);
            drain.print(drain.run(input, null), out);
        } else if (drainEvents > 0) {
            Path file = Files.createTempFile("sysmon-cep-drain", "." + format.optionName + ".log");
            try {
                BackgroundGenerator generator = new BackgroundGenerator(1, 200, Instant.parse("2024-03-11T00:00:00Z"), 1000);
                WermgrAttacks attacks = generator.mixInAttacks(attacksPerMillion, drainEvents);
                try (OutputStream o = Files.newOutputStream(file)) {
                    generator.writeLines(o, drainEvents, format);
                }
                List<ExpectedAlerts.Expected> expected = ExpectedAlerts.of(attacks.emitted(), RuleSet.bundled());
                KafkaDrain drain = new KafkaDrain(job, brokers);
                KafkaDrain.Result result = drain.run(file, expected);
                drain.print(result, out);
                measured = result.expectedArrived() == result.expectedAlerts();
            } finally {
                Files.deleteIfExists(file);
            }
        }
        if (!duration.isZero()) {
            KafkaLatency latency = new KafkaLatency(new KafkaLatency.Settings(rate, duration, warmUp, attackEvery, job), brokers);
            KafkaLatency.Result result = latency.run();
            latency.print(result, out);
            measured &= !result.delays().isEmpty();
        }
        return measured ? 0 : 1;
    }
}
