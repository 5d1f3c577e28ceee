package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How long an alert takes from the write of its event to Kafka to its arrival on the alerts topic,
 * end to end through a real broker and the stream job as {@code sysmon-cep stream} runs it (embedded
 * Flink), at a steady write rate. Background Sysmon events, timestamped now, come from 50 hosts;
 * among them, at a steady pace, a new wermgr.exe process creates a pipe and, every other time,
 * looks up api.ipify.org a moment later: each pipe and lookup opens an alert, each pair a sequence
 * alert. An alert's delay runs from the moment the broker acknowledged the event that completed it
 * (the event is in Kafka) to the moment a {@code read_committed} consumer gets the alert's first
 * version; the delay from the writer's send, which adds the writer's own queueing, is shown too.
 *
 * <p>An alert can leave only once the watermark has passed its event, that is once events more than
 * the out-of-order tolerance newer have arrived on every partition; with exactly-once it becomes
 * visible when the next checkpoint completes. So expect about tolerance + watermark interval (0.2 s)
 * + up to a checkpoint interval. Topics and the consumer group are new for each run, and deleted after.
 */
public final class KafkaLatency {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourceFormat[] FORMATS = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};
    private static final String WERMGR = "C:\\Windows\\SysWOW64\\wermgr.exe";

    /** What to measure, and how the job runs. */
    public record Settings(int rate, Duration duration, Duration warmUp, Duration attackEvery,
                           KafkaBenchRun.JobOptions job) {}

    /**
     * Records written, over how long, and the delays from the broker's ack measured in ms, sorted;
     * each measured alert as {sent at, delay from the ack, delay from the send};
     * and what may explain them, over the measured period: the writer's own queueing, the job's lag,
     * how often checkpoints completed, and garbage collection in this JVM.
     */
    public record Result(long written, double seconds, List<Long> delays, List<long[]> delaysByWriteTime,
                         Map<String, Double> producerMetrics, Lag lag, GcTime gc) {
        public double writtenPerSecond() {
            return written / seconds;
        }

        /** The p-th percentile delay from the broker's ack, in seconds. */
        public double percentile(int p) {
            return percentile(delays, p);
        }

        /** The p-th percentile delay from the writer's send, in seconds. */
        public double percentileFromSend(int p) {
            return percentile(delaysByWriteTime.stream().map(d -> d[2]).sorted().toList(), p);
        }

        private static double percentile(List<Long> sorted, int p) {
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, i)) / 1000.0;
        }
    }

    private final Settings settings;
    private final String bootstrapServers;
    private final Set<String> sequenceRules = RuleSet.bundled().sequences().stream()
            .map(s -> s.id()).collect(Collectors.toSet());
    /**
     * Each measured attack event by process and kind ("pipe" or "dns"): when it was sent, and when
     * the broker acknowledged it (set by the producer's thread; 0 until then).
     */
    private final Map<String, long[]> written = new ConcurrentHashMap<>();
    /** Each measured alert: when its completing event was sent, its delay from the broker's ack, and from the send. */
    private final List<long[]> delays = Collections.synchronizedList(new ArrayList<>());

    public KafkaLatency(Settings settings, String bootstrapServers) {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
    }

    private KafkaBenchRun run;

    /** Creates the run's topics, runs the job and the writer, and cancels the job at the end. */
    public Result run() throws Exception {
        try (KafkaBenchRun r = new KafkaBenchRun(bootstrapServers, "latency")) {
            run = r;
            run.createTopics(settings.job().partitions());
            JobClient job = run.startJob(settings.job());
            try {
                awaitFirstCheckpoint();
                AtomicBoolean reading = new AtomicBoolean(true);
                Thread reader = new Thread(() -> readAlerts(reading), "alert-reader");
                reader.start();

                long started = System.currentTimeMillis();
                long measureFrom = started + settings.warmUp().toMillis();
                long attacksUntil = measureFrom + settings.duration().toMillis();
                // After the last attack, background goes on long enough to move the watermark past it.
                long until = attacksUntil + settings.job().outOfOrderness().toMillis() + 10_000;
                LagWatch lag = new LagWatch(measureFrom, attacksUntil);
                Thread watch = new Thread(lag, "lag-watch");
                watch.start();
                Map<String, Double> producerMetrics = new TreeMap<>();
                GcTime gcBefore = GcTime.now();
                long produced = write(started, measureFrom, attacksUntil, until, producerMetrics);
                GcTime gc = GcTime.now().minus(gcBefore);
                double seconds = (System.currentTimeMillis() - started) / 1000.0;
                reading.set(false);
                lag.stop();
                reader.join();
                watch.join();
                List<long[]> all;
                synchronized (delays) {
                    all = new ArrayList<>(delays);
                }
                return new Result(produced, seconds, all.stream().map(d -> d[1]).sorted().toList(), all,
                        producerMetrics, lag.result(), gc);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The figures as lines: rate, delay percentiles, the median by 10 s of writing, and what may explain them. */
    public void print(Result r, PrintWriter out) {
        KafkaBenchRun.JobOptions job = settings.job();
        out.printf(Locale.ROOT, "Kafka: %s delivery, checkpoints every %s, out-of-order tolerance %s, %d partitions, "
                        + "parallelism %d%n", job.deliveryGuarantee(), job.checkpointInterval(),
                job.outOfOrderness(), job.partitions(), job.parallelism());
        out.printf(Locale.ROOT, "  events written (aiming at %,d/s): %,d in %.0f s, %,.0f events/s%n", settings.rate(),
                r.written(), r.seconds(), r.writtenPerSecond());
        if (r.delays().isEmpty()) {
            out.println("  no alert measured");
            return;
        }
        out.printf(Locale.ROOT, "  alerts measured: %d; write-to-alert delay p50 %.2f s, p90 %.2f s, p99 %.2f s, max %.2f s%n",
                r.delays().size(), r.percentile(50), r.percentile(90), r.percentile(99),
                r.delays().get(r.delays().size() - 1) / 1000.0);
        out.printf(Locale.ROOT, "  (from the broker's ack of the event; from the writer's send, with its own queueing: "
                + "p50 %.2f s, p99 %.2f s)%n", r.percentileFromSend(50), r.percentileFromSend(99));
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
        Map<String, Double> m = r.producerMetrics();
        out.printf(Locale.ROOT, "  writer: records queued in the producer avg %.0f ms, max %.0f ms; broker acks avg %.0f ms, "
                        + "max %.0f ms%n", m.getOrDefault("record-queue-time-avg", Double.NaN),
                m.getOrDefault("record-queue-time-max", Double.NaN), m.getOrDefault("request-latency-avg", Double.NaN),
                m.getOrDefault("request-latency-max", Double.NaN));
        Lag lag = r.lag();
        out.printf(Locale.ROOT, "  job: records written but not yet read, p50 %,d, max %,d; "
                        + "checkpoints committed every %.2f s on average, longest gap %.2f s%n", lag.p50Records(),
                lag.maxRecords(), lag.meanCommitGapSeconds(), lag.maxCommitGapSeconds());
        out.printf(Locale.ROOT, "  this JVM's garbage collection while writing: %d collections, %.2f s in all%n",
                r.gc().collections(), r.gc().millis() / 1000.0);
        out.flush();
    }

    /** Collections and their time, summed over this JVM's collectors. */
    public record GcTime(long collections, long millis) {
        static GcTime now() {
            long count = 0;
            long millis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new GcTime(count, millis);
        }

        GcTime minus(GcTime earlier) {
            return new GcTime(collections - earlier.collections, millis - earlier.millis);
        }
    }

    /**
     * The job's lag while attacks are measured: records in the input topic its consumers have not
     * fetched yet (where the job runs in this JVM; else beyond the offsets its last checkpoint
     * committed), and the gaps between commits, which grow when checkpoints take longer than their
     * interval.
     */
    public record Lag(long p50Records, long maxRecords, double meanCommitGapSeconds, double maxCommitGapSeconds) {}

    /** Samples the job's committed offsets against the topic's end every 50 ms. */
    private final class LagWatch implements Runnable {
        private final long from;
        private final long until;
        private final List<Long> lags = new ArrayList<>();
        private final List<Long> commitTimes = new ArrayList<>();
        private volatile boolean watching = true;

        LagWatch(long from, long until) {
            this.from = from;
            this.until = until;
        }

        @Override
        public void run() {
            long committedBefore = -1;
            try {
                while (watching) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                    long now = System.currentTimeMillis();
                    if (now < from || now > until) {
                        continue;
                    }
                    long committed = run.committedOffsets().values().stream().mapToLong(Long::longValue).sum();
                    long consumed = KafkaDrain.recordsConsumed(run.group, run.inputTopic);
                    lags.add(run.inputEndOffsets() - (consumed >= 0 ? consumed : committed));
                    if (committed != committedBefore) {
                        commitTimes.add(now);
                        committedBefore = committed;
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void stop() {
            watching = false;
        }

        Lag result() {
            List<Long> sorted = lags.stream().sorted().toList();
            double meanGap = 0;
            double maxGap = 0;
            for (int i = 1; i < commitTimes.size(); i++) {
                double gap = (commitTimes.get(i) - commitTimes.get(i - 1)) / 1000.0;
                meanGap += gap / (commitTimes.size() - 1);
                maxGap = Math.max(maxGap, gap);
            }
            return new Lag(sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1), meanGap, maxGap);
        }
    }

    /**
     * Writes one event to each partition and waits until the job has read them all and completed a
     * checkpoint, which commits its offsets to its group: then it is running, and the measurement
     * starts without a backlog.
     */
    private void awaitFirstCheckpoint() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int p = 0; p < settings.job().partitions(); p++) {
                String line = SysmonLineWriter.render(background(p, System.currentTimeMillis()), Map.of(), SourceFormat.XML);
                producer.send(new ProducerRecord<>(run.inputTopic, p, null, line.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (run.committedOffsets().values().stream().filter(o -> o > 0).count() < settings.job().partitions()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not complete a checkpoint within 2 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /** Writes background at the rate and attacks at their pace; returns how many records it wrote. */
    private long write(long started, long measureFrom, long attacksUntil, long until, Map<String, Double> metricsOut) {
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
                send(producer, background(produced, now), produced, null);
                if (now >= nextAttack && now < attacksUntil) {
                    attacks++;
                    nextAttack += settings.attackEvery().toMillis();
                    String guid = String.format(Locale.ROOT, "{B3C0FFEE-0000-4000-8000-%012d}", attacks);
                    String host = host(attacks);
                    String pid = Integer.toString(4000 + attacks % 1000);
                    boolean measured = now >= measureFrom;
                    send(producer, pipe(host, guid, pid, now, 17, "\\pipe\\bench-" + attacks), attacks,
                            measured ? guid + "pipe" : null);
                    produced++;
                    if (attacks % 2 == 0) {
                        send(producer, dns(host, guid, pid, now + 1, "api.ipify.org"), attacks,
                                measured ? guid + "dns" : null);
                        produced++;
                    }
                }
            }
            producer.metrics().forEach((name, metric) -> {
                if (name.group().equals("producer-metrics") && metric.metricValue() instanceof Double d) {
                    metricsOut.put(name.name(), d);
                }
            });
        }
        return produced;
    }

    /** Sends the event; a measured one's send time is noted, and the time the broker took it. */
    private void send(KafkaProducer<byte[], byte[]> producer, SysmonEvent e, long n, String measuredAs) {
        String line = SysmonLineWriter.render(e, Map.of(), FORMATS[(int) (n % FORMATS.length)]);
        // Keyed by host, as shippers usually partition: one host's events stay in order.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(run.inputTopic,
                e.host.getBytes(StandardCharsets.UTF_8), line.getBytes(StandardCharsets.UTF_8));
        if (measuredAs == null) {
            producer.send(record);
            return;
        }
        long[] times = {System.currentTimeMillis(), 0};
        written.put(measuredAs, times);
        producer.send(record, (metadata, failure) -> times[1] = System.currentTimeMillis());
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

    /**
     * A shipper's producer: every replica acks. A 5 ms linger (Kafka 4's default) and 256 KiB
     * batches let it keep up at tens of thousands of records per second, where sending each record
     * at once queued them for seconds behind the five requests in flight.
     */
    private KafkaProducer<byte[], byte[]> producer() {
        return run.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10)));
    }

    private void readAlerts(AtomicBoolean reading) {
        try (KafkaConsumer<byte[], byte[]> consumer = run.alertReader()) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            while (reading.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long arrived = System.currentTimeMillis();
                    if (!seen.add(new String(r.key(), StandardCharsets.UTF_8))) {
                        continue; // a later update of an alert already measured
                    }
                    long[] at = completedAt(JSON.readTree(r.value()));
                    if (at != null && at[1] > 0) {
                        delays.add(new long[] {at[0], arrived - at[1], arrived - at[0]});
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Send and ack times of the event that completed this alert, or null for alerts of the warm-up. */
    private long[] completedAt(JsonNode alert) {
        String guid = alert.at("/process/entity_id").asText();
        long[] pipe = written.get(guid + "pipe");
        long[] dns = written.get(guid + "dns");
        if (sequenceRules.contains(alert.at("/rule/id").asText())) {
            return pipe == null || dns == null ? null : pipe[0] >= dns[0] ? pipe : dns;
        }
        return alert.at("/dns/question/name").isMissingNode() ? pipe : dns;
    }
}
