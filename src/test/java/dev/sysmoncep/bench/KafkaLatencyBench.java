package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.cli.DurationConverter;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.kafka.KafkaTestBroker;
import dev.sysmoncep.recognise.SourceFormat;
import dev.sysmoncep.recognise.SysmonEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How long an alert takes from the write of its event to Kafka to its arrival on the alerts topic,
 * end to end through a real broker (in this JVM) and the stream job as {@code sysmon-cep stream} runs
 * it (embedded Flink). Background Sysmon events, timestamped now, go out at a steady rate from 50
 * hosts; among them, at a steady pace, a new wermgr.exe process creates a pipe and, every other
 * time, looks up api.ipify.org a moment later: each pipe and lookup opens an alert, each pair a
 * sequence alert. An alert's delay is measured from the write of the event that completed it to
 * the moment a {@code read_committed} consumer gets its first version.
 *
 * <p>An alert can leave only once the watermark has passed its event, that is once events more than
 * the out-of-order tolerance newer have arrived on every partition; with exactly-once it becomes
 * visible when the next checkpoint completes. So expect about tolerance + watermark interval (0.2 s)
 * + up to a checkpoint interval.
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourceFormat[] FORMATS = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};

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

    @Option(names = "--out-of-orderness", defaultValue = "30s", description = "(default: ${DEFAULT-VALUE})")
    String outOfOrderness;

    @Option(names = "--delivery-guarantee", defaultValue = "exactly-once", description = "(default: ${DEFAULT-VALUE})")
    String deliveryGuarantee;

    /** Write time of each attack event, by process and kind ("pipe" or "dns"). */
    private final Map<String, Long> written = new ConcurrentHashMap<>();
    /** Each measured alert: when its completing event was written, and its delay. */
    private final List<long[]> delays = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaLatencyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration tolerance = new DurationConverter().convert(outOfOrderness);
        try (KafkaTestBroker broker = new KafkaTestBroker()) {
            broker.start();
            broker.createTopic("sysmon", partitions, false);
            broker.createTopic("alerts", partitions, true);

            StreamCommand command = new StreamCommand();
            new CommandLine(command).parseArgs("--bootstrap-servers", broker.bootstrapServers(), "--topics", "sysmon",
                    "--alert-topic", "alerts", "--start-from", "earliest", "-p", Integer.toString(parallelism),
                    "--checkpoint-interval", checkpointInterval, "--out-of-orderness", outOfOrderness,
                    "--delivery-guarantee", deliveryGuarantee);
            JobClient job = command.start(Map.of());
            awaitFirstCheckpoint(broker);

            AtomicBoolean reading = new AtomicBoolean(true);
            Thread reader = new Thread(() -> readAlerts(broker, reading), "alert-reader");
            reader.start();

            long started = System.currentTimeMillis();
            long measureFrom = started + warmUp.toMillis();
            long attacksUntil = measureFrom + duration.toMillis();
            // After the last attack, background goes on long enough to move the watermark past it.
            long until = attacksUntil + tolerance.toMillis() + 10_000;
            long produced = write(broker, started, measureFrom, attacksUntil, until);
            double seconds = (System.currentTimeMillis() - started) / 1000.0;

            reading.set(false);
            reader.join();
            job.cancel().get(60, TimeUnit.SECONDS);

            List<long[]> all;
            synchronized (delays) {
                all = new ArrayList<>(delays);
            }
            List<Long> measured = all.stream().map(d -> d[1]).sorted().toList();
            System.out.printf(Locale.ROOT, "%nsysmon-cep Kafka latency: %s delivery, checkpoints every %s, out-of-order "
                            + "tolerance %s, %d partitions, parallelism %d%n", deliveryGuarantee, checkpointInterval,
                    outOfOrderness, partitions, parallelism);
            System.out.printf(Locale.ROOT, "  events written: %,d in %.0f s (%,.0f events/s), %d cores%n", produced, seconds,
                    produced / seconds, Runtime.getRuntime().availableProcessors());
            if (measured.isEmpty()) {
                System.out.println("  no alert measured");
                return 1;
            }
            System.out.printf(Locale.ROOT, "  alerts measured: %d; write-to-alert delay p50 %.2f s, p90 %.2f s, p99 %.2f s, "
                            + "max %.2f s%n", measured.size(), pct(measured, 50), pct(measured, 90), pct(measured, 99),
                    measured.get(measured.size() - 1) / 1000.0);
            StringBuilder perPeriod = new StringBuilder("  p50 by 10 s of writing:");
            for (long from = measureFrom; from < attacksUntil; from += 10_000) {
                long start = from;
                List<Long> period = all.stream().filter(d -> d[0] >= start && d[0] < start + 10_000).map(d -> d[1]).sorted().toList();
                perPeriod.append(period.isEmpty() ? " -" : String.format(Locale.ROOT, " %.2f", pct(period, 50)));
            }
            System.out.println(perPeriod + " s");
            return 0;
        }
    }

    /**
     * Writes one event to each partition and waits until the job has read them all and completed a
     * checkpoint, which commits its offsets to its group ("sysmon-cep"): then it is running, and the
     * measurement starts without a backlog.
     */
    private void awaitFirstCheckpoint(KafkaTestBroker broker) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            for (int p = 0; p < partitions; p++) {
                String line = SysmonLineWriter.render(background(p, System.currentTimeMillis()), Map.of(), SourceFormat.XML);
                producer.send(new ProducerRecord<>("sysmon", p, null, line.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            while (admin.listConsumerGroupOffsets("sysmon-cep").partitionsToOffsetAndMetadata().get().values().stream()
                    .filter(o -> o != null && o.offset() > 0).count() < partitions) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not complete a checkpoint within 2 minutes");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
    }

    /** Writes background at the rate and attacks at their pace; returns how many records it wrote. */
    private long write(KafkaTestBroker broker, long started, long measureFrom, long attacksUntil, long until)
            throws Exception {
        long produced = 0;
        int attacks = 0;
        long nextAttack = started;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            long nanosPerEvent = TimeUnit.SECONDS.toNanos(1) / rate;
            long t0 = System.nanoTime();
            while (System.currentTimeMillis() < until) {
                long due = t0 + produced * nanosPerEvent;
                LockSupport.parkNanos(due - System.nanoTime());
                long now = System.currentTimeMillis();
                produced++;
                send(producer, background(produced, now), produced);
                if (now >= nextAttack && now < attacksUntil) {
                    attacks++;
                    nextAttack += attackEvery.toMillis();
                    String guid = String.format(Locale.ROOT, "{B3C0FFEE-0000-4000-8000-%012d}", attacks);
                    String host = host(attacks);
                    boolean measured = now >= measureFrom;
                    if (measured) {
                        written.put(guid + "pipe", System.currentTimeMillis());
                    }
                    send(producer, Scenarios.pipe(host, guid, Integer.toString(4000 + attacks % 1000), Instant.ofEpochMilli(now),
                            17, "\\pipe\\bench-" + attacks), attacks);
                    produced++;
                    if (attacks % 2 == 0) {
                        if (measured) {
                            written.put(guid + "dns", System.currentTimeMillis());
                        }
                        send(producer, Scenarios.dns(host, guid, Integer.toString(4000 + attacks % 1000),
                                Instant.ofEpochMilli(now + 1), "api.ipify.org"), attacks);
                        produced++;
                    }
                }
            }
        }
        return produced;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, SysmonEvent e, long n) {
        String line = SysmonLineWriter.render(e, Map.of(), FORMATS[(int) (n % FORMATS.length)]);
        // Keyed by host, as shippers usually partition: one host's events stay in order.
        producer.send(new ProducerRecord<>("sysmon", e.host.getBytes(StandardCharsets.UTF_8),
                line.getBytes(StandardCharsets.UTF_8)));
    }

    /** Ordinary activity no rule matches: DNS lookups and pipes of other programs, including wermgr's own lookups. */
    private static SysmonEvent background(long n, long now) {
        String host = host(n);
        String guid = String.format(Locale.ROOT, "{0BAC4000-0000-4000-8000-%012d}", n % 500);
        Instant t = Instant.ofEpochMilli(now);
        SysmonEvent e = switch ((int) (n % 4)) {
            case 0 -> Scenarios.dns(host, guid, "1200", t, "www.example.com");
            case 1 -> Scenarios.dns(host, guid, "1200", t, "umwatson.events.data.microsoft.com");
            case 2 -> Scenarios.pipe(host, guid, "880", t, 17, "\\pipe\\lsass");
            default -> Scenarios.pipe(host, guid, "880", t, 18, "\\pipe\\srvsvc");
        };
        if (n % 4 != 1) {
            e.image = n % 4 == 0 ? "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" : "C:\\Windows\\System32\\svchost.exe";
        }
        return e;
    }

    private static String host(long n) {
        return String.format(Locale.ROOT, "WS-%03d.corp.example.com", n % 50);
    }

    private void readAlerts(KafkaTestBroker broker, AtomicBoolean reading) {
        try (KafkaConsumer<byte[], byte[]> consumer = broker.committedReader("alerts")) {
            Map<String, Boolean> seen = new ConcurrentHashMap<>();
            while (reading.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long arrived = System.currentTimeMillis();
                    if (seen.putIfAbsent(new String(r.key(), StandardCharsets.UTF_8), true) != null) {
                        continue; // a later update of an alert already measured
                    }
                    Long at = completedAt(JSON.readTree(r.value()));
                    if (at != null) {
                        delays.add(new long[] {at, arrived - at});
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** When the event that completed this alert was written, or null for alerts of the warm-up. */
    private Long completedAt(JsonNode alert) {
        String guid = alert.at("/process/entity_id").asText();
        Long pipe = written.get(guid + "pipe");
        Long dns = written.get(guid + "dns");
        return switch (alert.at("/rule/id").asText()) {
            case Scenarios.PIPE_RULE -> pipe;
            case Scenarios.IP_CHECK_RULE -> dns;
            default -> pipe == null || dns == null ? null : Math.max(pipe, dns);
        };
    }

    private static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / 1000.0;
    }
}
