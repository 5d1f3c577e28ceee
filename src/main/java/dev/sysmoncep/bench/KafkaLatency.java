package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.cli.StreamCommand;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.recognise.SourceFormat;
import dev.sysmoncep.recognise.SysmonEvent;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How long an alert takes from the write of its event to Kafka to its arrival on the alerts topic,
 * end to end through a real broker and the stream job as {@code sysmon-cep stream} runs it (embedded
 * Flink), at a steady write rate. Background Sysmon events, timestamped now, come from 50 hosts;
 * among them, at a steady pace, a new wermgr.exe process creates a pipe and, every other time,
 * looks up api.ipify.org a moment later: each pipe and lookup opens an alert, each pair a sequence
 * alert. An alert's delay runs from the write of the event that completed it to the moment a
 * {@code read_committed} consumer gets its first version.
 *
 * <p>An alert can leave only once the watermark has passed its event, that is once events more than
 * the out-of-order tolerance newer have arrived on every partition; with exactly-once it becomes
 * visible when the next checkpoint completes. So expect about tolerance + watermark interval (0.2 s)
 * + up to a checkpoint interval. Topics and the consumer group are new for each run.
 */
public final class KafkaLatency {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourceFormat[] FORMATS = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};
    private static final String WERMGR = "C:\\Windows\\SysWOW64\\wermgr.exe";

    /** What to measure, and how the job runs. */
    public record Settings(int rate, Duration duration, Duration warmUp, Duration attackEvery, int partitions,
                           int parallelism, String checkpointInterval, Duration outOfOrderness,
                           String deliveryGuarantee) {}

    /** Records written, over how long, and the delays measured in ms, sorted, with their write times. */
    public record Result(long written, double seconds, List<Long> delays, List<long[]> delaysByWriteTime) {
        public double writtenPerSecond() {
            return written / seconds;
        }

        /** The p-th percentile delay in seconds. */
        public double percentile(int p) {
            int i = (int) Math.ceil(p / 100.0 * delays.size()) - 1;
            return delays.get(Math.max(0, i)) / 1000.0;
        }
    }

    private final Settings settings;
    private final String bootstrapServers;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String inputTopic = "sysmon-bench-" + run;
    private final String alertTopic = "alerts-bench-" + run;
    private final String group = "sysmon-cep-bench-" + run;
    private final Set<String> sequenceRules = RuleSet.bundled().sequences().stream()
            .map(s -> s.id()).collect(Collectors.toSet());
    /** Write time of each attack event, by process and kind ("pipe" or "dns"). */
    private final Map<String, Long> written = new ConcurrentHashMap<>();
    /** Each measured alert: when its completing event was written, and its delay. */
    private final List<long[]> delays = Collections.synchronizedList(new ArrayList<>());

    public KafkaLatency(Settings settings, String bootstrapServers) {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates the run's topics, runs the job and the writer, and cancels the job at the end. */
    public Result run() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            NewTopic alerts = new NewTopic(alertTopic, settings.partitions(), (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(new NewTopic(inputTopic, settings.partitions(), (short) 1), alerts))
                    .all().get(30, TimeUnit.SECONDS);
        }
        StreamCommand command = new StreamCommand();
        new picocli.CommandLine(command).parseArgs("--bootstrap-servers", bootstrapServers, "--topics", inputTopic,
                "--alert-topic", alertTopic, "--group-id", group, "--transactional-id-prefix", group,
                "--start-from", "earliest", "-p", Integer.toString(settings.parallelism()),
                "--checkpoint-interval", settings.checkpointInterval(),
                "--out-of-orderness", settings.outOfOrderness().toMillis() + "ms",
                "--delivery-guarantee", settings.deliveryGuarantee());
        JobClient job = command.start(Map.of());
        try {
            awaitFirstCheckpoint();
            AtomicBoolean reading = new AtomicBoolean(true);
            Thread reader = new Thread(() -> readAlerts(reading), "alert-reader");
            reader.start();

            long started = System.currentTimeMillis();
            long measureFrom = started + settings.warmUp().toMillis();
            long attacksUntil = measureFrom + settings.duration().toMillis();
            // After the last attack, background goes on long enough to move the watermark past it.
            long until = attacksUntil + settings.outOfOrderness().toMillis() + 10_000;
            long produced = write(started, measureFrom, attacksUntil, until);
            double seconds = (System.currentTimeMillis() - started) / 1000.0;
            reading.set(false);
            reader.join();
            List<long[]> all;
            synchronized (delays) {
                all = new ArrayList<>(delays);
            }
            return new Result(produced, seconds, all.stream().map(d -> d[1]).sorted().toList(), all);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** The figures as lines: rate, delay percentiles, and the median by 10 s of writing. */
    public void print(Result r, PrintWriter out) {
        out.printf(Locale.ROOT, "Kafka: %s delivery, checkpoints every %s, out-of-order tolerance %s, %d partitions, "
                        + "parallelism %d%n", settings.deliveryGuarantee(), settings.checkpointInterval(),
                settings.outOfOrderness(), settings.partitions(), settings.parallelism());
        out.printf(Locale.ROOT, "  events written (aiming at %,d/s): %,d in %.0f s, %,.0f events/s%n", settings.rate(),
                r.written(), r.seconds(), r.writtenPerSecond());
        if (r.delays().isEmpty()) {
            out.println("  no alert measured");
            return;
        }
        out.printf(Locale.ROOT, "  alerts measured: %d; write-to-alert delay p50 %.2f s, p90 %.2f s, p99 %.2f s, max %.2f s%n",
                r.delays().size(), r.percentile(50), r.percentile(90), r.percentile(99),
                r.delays().get(r.delays().size() - 1) / 1000.0);
        long first = r.delaysByWriteTime().stream().mapToLong(d -> d[0]).min().orElse(0);
        long last = r.delaysByWriteTime().stream().mapToLong(d -> d[0]).max().orElse(0);
        StringBuilder perPeriod = new StringBuilder("  p50 by 10 s of writing (growing if the job falls behind):");
        for (long from = first; from <= last; from += 10_000) {
            long start = from;
            List<Long> period = r.delaysByWriteTime().stream().filter(d -> d[0] >= start && d[0] < start + 10_000)
                    .map(d -> d[1]).sorted().toList();
            perPeriod.append(period.isEmpty() ? " -" : String.format(Locale.ROOT, " %.2f",
                    period.get(Math.max(0, (int) Math.ceil(period.size() / 2.0) - 1)) / 1000.0));
        }
        out.println(perPeriod + " s");
        out.flush();
    }

    /**
     * Writes one event to each partition and waits until the job has read them all and completed a
     * checkpoint, which commits its offsets to its group: then it is running, and the measurement
     * starts without a backlog.
     */
    private void awaitFirstCheckpoint() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int p = 0; p < settings.partitions(); p++) {
                String line = SysmonLineWriter.render(background(p, System.currentTimeMillis()), Map.of(), SourceFormat.XML);
                producer.send(new ProducerRecord<>(inputTopic, p, null, line.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            while (admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                    .filter(o -> o != null && o.offset() > 0).count() < settings.partitions()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not complete a checkpoint within 2 minutes");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
    }

    /** Writes background at the rate and attacks at their pace; returns how many records it wrote. */
    private long write(long started, long measureFrom, long attacksUntil, long until) {
        long produced = 0;
        int attacks = 0;
        long nextAttack = started;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            long nanosPerEvent = TimeUnit.SECONDS.toNanos(1) / settings.rate();
            long t0 = System.nanoTime();
            while (System.currentTimeMillis() < until) {
                long due = t0 + produced * nanosPerEvent;
                LockSupport.parkNanos(due - System.nanoTime());
                long now = System.currentTimeMillis();
                produced++;
                send(producer, background(produced, now), produced);
                if (now >= nextAttack && now < attacksUntil) {
                    attacks++;
                    nextAttack += settings.attackEvery().toMillis();
                    String guid = String.format(Locale.ROOT, "{B3C0FFEE-0000-4000-8000-%012d}", attacks);
                    String host = host(attacks);
                    String pid = Integer.toString(4000 + attacks % 1000);
                    boolean measured = now >= measureFrom;
                    if (measured) {
                        written.put(guid + "pipe", System.currentTimeMillis());
                    }
                    send(producer, pipe(host, guid, pid, now, 17, "\\pipe\\bench-" + attacks), attacks);
                    produced++;
                    if (attacks % 2 == 0) {
                        if (measured) {
                            written.put(guid + "dns", System.currentTimeMillis());
                        }
                        send(producer, dns(host, guid, pid, now + 1, "api.ipify.org"), attacks);
                        produced++;
                    }
                }
            }
        }
        return produced;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, SysmonEvent e, long n) {
        String line = SysmonLineWriter.render(e, Map.of(), FORMATS[(int) (n % FORMATS.length)]);
        // Keyed by host, as shippers usually partition: one host's events stay in order.
        producer.send(new ProducerRecord<>(inputTopic, e.host.getBytes(StandardCharsets.UTF_8),
                line.getBytes(StandardCharsets.UTF_8)));
    }

    /** Ordinary activity no rule matches: DNS lookups and pipes of other programs, including wermgr's own lookups. */
    private static SysmonEvent background(long n, long now) {
        String host = host(n);
        String guid = String.format(Locale.ROOT, "{0BAC4000-0000-4000-8000-%012d}", n % 500);
        SysmonEvent e = switch ((int) (n % 4)) {
            case 0 -> dns(host, guid, "1200", now, "www.example.com");
            case 1 -> dns(host, guid, "1200", now, "umwatson.events.data.microsoft.com");
            case 2 -> pipe(host, guid, "880", now, 17, "\\pipe\\lsass");
            default -> pipe(host, guid, "880", now, 18, "\\pipe\\srvsvc");
        };
        if (n % 4 != 1) {
            e.image = n % 4 == 0 ? "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" : "C:\\Windows\\System32\\svchost.exe";
        }
        return e;
    }

    private static SysmonEvent pipe(String host, String guid, String pid, long time, int eventId, String pipeName) {
        SysmonEvent e = wermgrEvent(host, guid, pid, time, eventId);
        e.eventType = eventId == 17 ? "CreatePipe" : "ConnectPipe";
        e.pipeName = pipeName;
        return e;
    }

    private static SysmonEvent dns(String host, String guid, String pid, long time, String query) {
        SysmonEvent e = wermgrEvent(host, guid, pid, time, 22);
        e.queryName = query;
        e.queryStatus = "0";
        e.queryResults = "::ffff:192.0.2.10;";
        return e;
    }

    private static SysmonEvent wermgrEvent(String host, String guid, String pid, long time, int eventId) {
        SysmonEvent e = new SysmonEvent();
        e.host = host;
        e.eventId = eventId;
        e.eventTime = time;
        e.processGuid = guid;
        e.processId = pid;
        e.image = WERMGR;
        e.user = "NT AUTHORITY\\SYSTEM";
        return e;
    }

    private static String host(long n) {
        return String.format(Locale.ROOT, "WS-%03d.corp.example.com", n % 50);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    private void readAlerts(AtomicBoolean reading) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(alertTopic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(alertTopic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            while (reading.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long arrived = System.currentTimeMillis();
                    if (!seen.add(new String(r.key(), StandardCharsets.UTF_8))) {
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
        if (sequenceRules.contains(alert.at("/rule/id").asText())) {
            return pipe == null || dns == null ? null : Math.max(pipe, dns);
        }
        return alert.at("/dns/question/name").isMissingNode() ? pipe : dns;
    }
}
