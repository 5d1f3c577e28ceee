package dev.sysmoncep.bench;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.ExpectedAlerts;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.metrics.JobCounters;
import dev.sysmoncep.read.LineReader;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The stream job's sustained rate with the writer out of the way: a file of Sysmon lines is first
 * written to a new topic as fast as the broker takes it, then the job (as {@code sysmon-cep stream}
 * runs it, embedded Flink) starts from the earliest offsets and drains that backlog. Its progress is
 * the count of records its Kafka consumers fetched from the topic, polled every 50 ms, so the rate
 * runs from the first record read to the last; the job's start-up is left out. The drain ends when
 * the job's group has committed every offset, i.e. a checkpoint completed after the last record.
 *
 * <p>After the file, one event per partition dated now moves the watermark past every line, so each
 * alert the file holds opens and leaves; they are checked against the generator's expected alerts,
 * and the events the job found late are counted. On a shared machine the rate is what the job got
 * of the cores, so the events per CPU-second this JVM used are shown too.
 *
 * <p>Then the plain Kafka Streams app a user would write instead ({@link KafkaStreamsApp}) drains
 * the same topic from its start, measured the same way (its consumers' records fetched from the
 * topic), until it has fetched every record.
 */
public final class KafkaDrain {
    private static final Duration PROGRESS_POLL = Duration.ofMillis(50);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration ALERTS_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RATE_PERIOD = Duration.ofSeconds(5);

    private final KafkaBenchRun.JobOptions options;
    private final String bootstrapServers;

    /**
     * One drain of the backlog: when reading began after the start (s), how long it ran from the
     * first record read to the last, the records read meanwhile, and its progress samples
     * (nanoTime, records read, this JVM's CPU time in ns).
     */
    public record Drain(double startSeconds, double drainSeconds, long drained, List<long[]> progress) {
        /** Records read per second from the first record read to the last. */
        public double drainPerSecond() {
            return drained / drainSeconds;
        }

        /**
         * Records read per second over the second half of the backlog, once the code has been
         * compiled: the sustained rate.
         */
        public double secondHalfPerSecond() {
            long[] end = progress.get(progress.size() - 1);
            long[] half = secondHalfStart();
            return end[0] == half[0] ? drainPerSecond() : (end[1] - half[1]) / ((end[0] - half[0]) / 1e9);
        }

        /**
         * Records read over the second half per second of CPU this JVM used meanwhile (the job and,
         * unless it runs apart, the broker): the rate it would reach on a core of its own.
         */
        public double secondHalfPerCpuSecond() {
            long[] end = progress.get(progress.size() - 1);
            long[] half = secondHalfStart();
            return end[2] == half[2] ? Double.NaN : (end[1] - half[1]) / ((end[2] - half[2]) / 1e9);
        }

        private long[] secondHalfStart() {
            long[] end = progress.get(progress.size() - 1);
            return progress.stream().filter(p -> p[1] >= end[1] / 2).findFirst().orElse(end);
        }

        /** Timed from the first sample with records read; a backlog read between two polls, from the start. */
        static Drain of(List<long[]> progress, long started) {
            long[] last = progress.get(progress.size() - 1);
            long[] firstRead = progress.stream().filter(p -> p[1] > 0).findFirst().orElseThrow();
            long[] first = firstRead == last ? new long[] {started, 0, 0} : firstRead;
            return new Drain((first[0] - started) / 1e9, (last[0] - first[0]) / 1e9, last[1] - first[1], progress);
        }
    }

    /**
     * Lines written, the fill time, the job's drain, the alerts that arrived and the events the job
     * found late; then the Kafka Streams app's drain and the alert records it wrote.
     */
    public record Result(long lines, long bytes, double fillSeconds, Drain job, int expectedAlerts, int expectedArrived,
                         int alertsArrived, double alertsAfterDrainSeconds, long lateEvents, Drain kafkaStreams,
                         long kafkaStreamsAlertUpdates) {
        public double fillPerSecond() {
            return lines / fillSeconds;
        }
    }

    public KafkaDrain(KafkaBenchRun.JobOptions options, String bootstrapServers) {
        this.options = options;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Fills a new topic with the file's lines, drains it with the job, waits for the expected alerts
     * (when known) and cancels the job; then drains the same topic with the Kafka Streams app.
     */
    public Result run(Path file, List<ExpectedAlerts.Expected> expected) throws Exception {
        try (KafkaBenchRun run = new KafkaBenchRun(bootstrapServers, "drain")) {
            run.createTopics(options.partitions());
            long fillStarted = System.nanoTime();
            long[] written = fill(run, file);
            double fillSeconds = (System.nanoTime() - fillStarted) / 1e9;
            long total = run.inputEndOffsets();

            long submitted = System.nanoTime();
            JobClient job = run.startJob(options);
            Drain drained;
            int[] arrived;
            long late;
            double alertsAfterDrain;
            try {
                drained = Drain.of(awaitDrained(total, submitted, () -> recordsConsumed(run.group, run.inputTopic),
                        () -> run.committedOffsets().values().stream().mapToLong(Long::longValue).sum()), submitted);
                long drainedAt = System.nanoTime();
                Set<String> wanted = new HashSet<>();
                if (expected != null) {
                    expected.forEach(e -> wanted.add(e.alertId()));
                }
                arrived = awaitAlerts(run, wanted);
                alertsAfterDrain = (System.nanoTime() - drainedAt) / 1e9;
                late = lateEvents(job);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            Drain streams;
            long streamsAlerts;
            Path stateDir = Files.createTempDirectory("sysmon-cep-kafka-streams");
            try (KafkaStreamsApp app = new KafkaStreamsApp(bootstrapServers, run.streamsApp, run.inputTopic,
                    run.streamsAlertTopic, RuleSet.bundled(), stateDir)) {
                long started = System.nanoTime();
                app.start();
                LongSupplierWithIo consumed = () -> recordsConsumed(run.streamsApp, run.inputTopic);
                streams = Drain.of(awaitDrained(total, started, consumed, consumed), started);
                streamsAlerts = app.alertUpdates();
            } finally {
                deleteTree(stateDir);
            }
            return new Result(written[0], written[1], fillSeconds, drained, expected == null ? -1 : expected.size(),
                    arrived[0], arrived[1], alertsAfterDrain, late, streams, streamsAlerts);
        }
    }

    /** The figures as lines. */
    public void print(Result r, PrintWriter out) {
        out.printf(Locale.ROOT, "Kafka drain: %s delivery, checkpoints every %s, out-of-order tolerance %s, "
                        + "%d partitions, parallelism %d%n", options.deliveryGuarantee(), options.checkpointInterval(),
                options.outOfOrderness(), options.partitions(), options.parallelism());
        out.printf(Locale.ROOT, "  topic filled first: %,d lines, %,d bytes in %.1f s, %,.0f lines/s, %.1f MB/s%n",
                r.lines(), r.bytes(), r.fillSeconds(), r.fillPerSecond(), r.bytes() / 1e6 / r.fillSeconds());
        Drain job = r.job();
        out.printf(Locale.ROOT, "  job drained the backlog: %,d records in %.1f s from its first read "
                        + "(%.1f s after submission), %,.0f events/s; over its second half %,.0f events/s%n",
                job.drained(), job.drainSeconds(), job.startSeconds(), job.drainPerSecond(), job.secondHalfPerSecond());
        printPerCpuSecond(job, out);
        printRates(job, out);
        if (r.expectedAlerts() >= 0) {
            out.printf(Locale.ROOT, "  alerts: %d of %d expected arrived (%d alert ids in all), %.1f s after the drain; "
                            + "late events %,d%n", r.expectedArrived(), r.expectedAlerts(), r.alertsArrived(),
                    r.alertsAfterDrainSeconds(), r.lateEvents());
        } else {
            out.printf(Locale.ROOT, "  alerts: %d alert ids arrived; late events %,d%n", r.alertsArrived(), r.lateEvents());
        }
        Drain streams = r.kafkaStreams();
        out.printf(Locale.ROOT, "  Kafka Streams app (%d threads, a Jackson tree or DOM per record, the same rules, "
                        + "at-least-once) drained the same backlog: %,d records in %.1f s from its first read (%.1f s "
                        + "after its start), %,.0f events/s; over its second half %,.0f events/s; %,d alert records%n",
                KafkaStreamsApp.THREADS, streams.drained(), streams.drainSeconds(), streams.startSeconds(),
                streams.drainPerSecond(), streams.secondHalfPerSecond(), r.kafkaStreamsAlertUpdates());
        printPerCpuSecond(streams, out);
        printRates(streams, out);
        out.printf(Locale.ROOT, "  job / Kafka Streams app: %.2fx whole drain, %.2fx second half%n",
                job.drainPerSecond() / streams.drainPerSecond(), job.secondHalfPerSecond() / streams.secondHalfPerSecond());
        out.flush();
    }

    private static void printPerCpuSecond(Drain d, PrintWriter out) {
        double perCpuSecond = d.secondHalfPerCpuSecond();
        out.println("  per second of CPU this JVM used over the second half: " + (Double.isNaN(perCpuSecond)
                ? "too short a drain to tell" : String.format(Locale.ROOT, "%,.0f events", perCpuSecond)));
    }

    private static void printRates(Drain d, PrintWriter out) {
        StringBuilder rates = new StringBuilder("  events/s by 5 s of draining (flat if sustained):");
        long[] from = null;
        for (long[] p : d.progress()) {
            if (p[1] == 0) {
                continue;
            }
            if (from == null) {
                from = p;
            } else if (p[0] - from[0] >= RATE_PERIOD.toNanos() || p == d.progress().get(d.progress().size() - 1)) {
                rates.append(String.format(Locale.ROOT, " %,.0f", (p[1] - from[1]) / ((p[0] - from[0]) / 1e9)));
                from = p;
            }
        }
        out.println(rates);
    }

    /**
     * Writes every line of the file, round robin over the partitions (each partition keeps the
     * file's order), then the closing event on each; returns lines and bytes of the file written.
     */
    private long[] fill(KafkaBenchRun run, Path file) throws IOException {
        long lines = 0;
        try (KafkaProducer<byte[], byte[]> producer = bulkProducer(run); InputStream in = BenchCommand.open(file)) {
            LineReader reader = new LineReader(in, SysmonLineParser.DEFAULT_MAX_LINE_BYTES);
            while (reader.next()) {
                if (reader.lineLength() > 0) {
                    byte[] line = Arrays.copyOfRange(reader.lineBuffer(), reader.lineOffset(),
                            reader.lineOffset() + reader.lineLength());
                    producer.send(new ProducerRecord<>(run.inputTopic, (int) (lines++ % options.partitions()), null, line));
                }
            }
            byte[] closing = SysmonLineWriter.render(closingEvent(), Map.of(), SourceFormat.FLAT_JSON)
                    .getBytes(StandardCharsets.UTF_8);
            for (int p = 0; p < options.partitions(); p++) {
                producer.send(new ProducerRecord<>(run.inputTopic, p, null, closing));
            }
            producer.flush();
            return new long[] {lines, reader.nextLineStart()};
        }
    }

    /** An ordinary event no rule matches, dated now: later than every generated line. */
    private static SysmonEvent closingEvent() {
        SysmonEvent e = new SysmonEvent();
        e.host = "BENCH-END.corp.example.com";
        e.eventId = 22;
        e.eventTime = System.currentTimeMillis();
        e.processGuid = "{0BE4C400-0000-4000-8000-000000000000}";
        e.processId = "1200";
        e.image = "C:\\Windows\\System32\\svchost.exe";
        e.user = "NT AUTHORITY\\SYSTEM";
        e.queryName = "www.example.com";
        e.queryStatus = "0";
        e.queryResults = "::ffff:192.0.2.10;";
        return e;
    }

    /** A producer for bulk: large batches, a short linger so they fill, the leader's ack only. */
    private static KafkaProducer<byte[], byte[]> bulkProducer(KafkaBenchRun run) {
        return run.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20),
                ProducerConfig.LINGER_MS_CONFIG, "20", ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(256L << 20),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20)));
    }

    /** A count read from the broker or over JMX. */
    private interface LongSupplierWithIo {
        long get() throws Exception;
    }

    /**
     * Polls progress until {@code done} reaches the records written: (nanoTime, records read, this
     * JVM's CPU time in ns). Records read are the consumers' own count where they run in this JVM
     * (embedded, as here), else {@code done} (for the job, its committed offsets, which move only at
     * checkpoints).
     */
    private static List<long[]> awaitDrained(long total, long started, LongSupplierWithIo consumed,
            LongSupplierWithIo done) throws Exception {
        List<long[]> progress = new ArrayList<>();
        long finished = 0;
        long read = 0;
        long deadline = started + DRAIN_TIMEOUT.toNanos();
        while (finished < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the backlog of " + total + " records was not read within " + DRAIN_TIMEOUT
                        + " (" + finished + " done)");
            }
            LockSupport.parkNanos(PROGRESS_POLL.toNanos());
            long now = System.nanoTime();
            finished = done.get();
            long fetched = consumed.get();
            long sample = Math.min(total, fetched >= 0 ? fetched : finished);
            if (sample != read || progress.isEmpty()) {
                progress.add(new long[] {now, sample, processCpuNanos()});
                read = sample;
            }
        }
        return progress;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /**
     * Records of the topic fetched so far by the Kafka consumers whose client ids start with
     * {@code clientIdPrefix} (the job's group id; the Kafka Streams app's id), as they report it over
     * JMX in this JVM; -1 when none is here. The job's source hands them on from a queue of two
     * fetches at most, Kafka Streams from a buffer of 1,000 records per partition, so this runs at most
     * a few thousand records ahead of either.
     */
    static long recordsConsumed(String clientIdPrefix, String topic) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> consumers = server.queryNames(new ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,"
                + "client-id=" + clientIdPrefix + "*,topic=" + topic), null);
        if (consumers.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (ObjectName consumer : consumers) {
            sum += ((Number) server.getAttribute(consumer, "records-consumed-total")).longValue();
        }
        return sum;
    }

    /** The events the job found late so far (its accumulator; none if it has not counted any yet). */
    private static long lateEvents(JobClient job) throws Exception {
        Object late = job.getAccumulators().get(60, TimeUnit.SECONDS).get(JobCounters.LATE_EVENTS);
        return late == null ? 0 : ((Number) late).longValue();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Reads alerts until every wanted id has come (or the timeout): {wanted arrived, ids arrived}. */
    private static int[] awaitAlerts(KafkaBenchRun run, Set<String> wanted) {
        Set<String> seen = new HashSet<>();
        Set<String> missing = new HashSet<>(wanted);
        long deadline = System.nanoTime() + ALERTS_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = run.alertReader()) {
            // With nothing expected, whatever the job raised is read for a few seconds.
            long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (wanted.isEmpty() ? System.nanoTime() < quietUntil : !missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    seen.add(id);
                    missing.remove(id);
                }
            }
        }
        return new int[] {wanted.size() - missing.size(), seen.size()};
    }
}
