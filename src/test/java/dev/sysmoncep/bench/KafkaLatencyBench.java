package dev.sysmoncep.bench;

import dev.sysmoncep.cli.DurationConverter;
import dev.sysmoncep.kafka.KafkaTestBroker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@link KafkaLatency} against a real broker started in this JVM (KRaft, the test kit), for when no
 * broker is at hand; {@code sysmon-cep bench --bootstrap-servers} measures the same on an existing one.
 *
 * <p>Run it (it prints p50/p90/p99 and the rate; {@code --help} lists the options):
 * <pre>
 * mvn -B -q -DskipTests test-compile
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.sysmoncep.bench.KafkaLatencyBench --out-of-orderness 2s
 * </pre>
 */
@Command(name = "kafka-latency-bench", mixinStandardHelpOptions = true)
public final class KafkaLatencyBench implements Callable<Integer> {
    @Option(names = "--rate", description = "Background events per second (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
    int rate;

    @Option(names = "--duration", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long attacks are written and measured, after the warm-up (default: ${DEFAULT-VALUE}).")
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

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaLatencyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (KafkaTestBroker broker = new KafkaTestBroker()) {
            broker.start();
            KafkaLatency latency = new KafkaLatency(new KafkaLatency.Settings(rate, duration, warmUp, attackEvery,
                    partitions, parallelism, checkpointInterval, outOfOrderness, deliveryGuarantee),
                    broker.bootstrapServers());
            KafkaLatency.Result result = latency.run();
            latency.print(result, new PrintWriter(System.out, true));
            return result.delays().isEmpty() ? 1 : 0;
        }
    }
}
