package dev.sysmoncep.workflow;

import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A fleet of wermgr.exe processes as a source of Sysmon events for the detection workflow, for the
 * state tests and the state-size benchmark. Each source reader runs its own processes, one after
 * another in event time: each creates a named pipe (an alert, an open sequence) and every
 * {@code lookupEvery}-th also looks up an IP-check service a second later (a sequence alert), among
 * {@code background} ordinary lookups by svchost.exe that no rule matches. Every process has its own
 * ProcessGuid, so every one makes keyed state of its own.
 *
 * <p>The events are made already parsed: what is measured is the state of the detection, not the
 * readers. A finite load ends with a "clock" event hours later, which moves the watermark past every
 * window; gates let a test hold the load back until it has measured the state before it, and the
 * clock until it has measured the state under load. The gates and counters live in this JVM, where
 * the MiniCluster runs the job.
 */
public final class WermgrProcessLoad implements GeneratorFunction<Long, SysmonRecord> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> WAITING = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> EMITTED = new ConcurrentHashMap<>();

    /**
     * What each reader generates: {@code processes} processes ({@link Long#MAX_VALUE} for no end),
     * {@code spacing} apart in event time from {@code start}, over {@code hosts} hosts.
     */
    public record Shape(long processes, int hosts, Duration spacing, int lookupEvery, int background, Instant start)
            implements Serializable {
        /** Records each reader emits before its clock. */
        long loadRecords() {
            long lookups = lookupEvery == 0 ? 0 : (processes + lookupEvery - 1) / lookupEvery;
            return processes * (1 + background) + lookups;
        }

        boolean endless() {
            return processes == Long.MAX_VALUE;
        }
    }

    private final String run;
    private final Shape shape;
    private transient int reader;
    private transient long process;
    private transient ArrayDeque<SysmonEvent> next;

    private WermgrProcessLoad(String run, Shape shape) {
        this.run = run;
        this.shape = shape;
    }

    /**
     * The source of a run. An endless load runs free; a finite one waits at gate "load" before its
     * first event and at gate "clock" before the clock, and then emits nothing more but stays running,
     * so checkpoints can still be taken.
     */
    public static DataGeneratorSource<SysmonRecord> source(String run, Shape shape) {
        RateLimiterStrategy<NumberSequenceSplit> limit = shape.endless() ? RateLimiterStrategy.noOp()
                : parallelism -> new Gated(run, shape.loadRecords());
        return new DataGeneratorSource<>(new WermgrProcessLoad(run, shape), Long.MAX_VALUE, limit,
                TypeInformation.of(SysmonRecord.class));
    }

    /** Lets every reader of the run past the named gate ("load" or "clock"). */
    public static void open(String run, String gate) {
        gate(run, gate).complete(null);
    }

    /** How many readers of the run wait at the named gate now. */
    public static int waitingAt(String run, String gate) {
        return WAITING.computeIfAbsent(run + "/" + gate, k -> new AtomicInteger()).get();
    }

    /** Events the run's readers have emitted so far. */
    public static long emitted(String run) {
        return EMITTED.computeIfAbsent(run, k -> new AtomicLong()).get();
    }

    private static CompletableFuture<Void> gate(String run, String gate) {
        return GATES.computeIfAbsent(run + "/" + gate, k -> new CompletableFuture<>());
    }

    @Override
    public void open(SourceReaderContext context) {
        reader = context.getIndexOfSubtask();
        next = new ArrayDeque<>();
    }

    @Override
    public SysmonRecord map(Long index) {
        if (next.isEmpty()) {
            if (process < shape.processes()) {
                addProcess(process++);
            } else {
                next.add(clock());
            }
        }
        EMITTED.computeIfAbsent(run, k -> new AtomicLong()).incrementAndGet();
        return SysmonRecord.event(next.poll());
    }

    private void addProcess(long n) {
        Instant t = shape.start().plus(shape.spacing().multipliedBy(n));
        String host = String.format(Locale.ROOT, "WS-%05d.corp.example.com", n % shape.hosts());
        String guid = String.format(Locale.ROOT, "{5EC0%04X-2F7D-605B-F50A-%012X}", reader, n);
        String pid = Long.toString(1000 + n % 60000);
        SysmonEvent pipe = event(host, guid, pid, t, 17);
        pipe.eventType = "CreatePipe";
        pipe.pipeName = "\\pipe\\wer-" + (n % 1000);
        next.add(pipe);
        for (int i = 0; i < shape.background(); i++) {
            SysmonEvent ordinary = event(host, "{5EC0B000-0000-0000-0000-0000000000" + (10 + i) + "}", "4", t, 22);
            ordinary.image = "C:\\Windows\\System32\\svchost.exe";
            ordinary.queryName = "login.microsoftonline.com";
            next.add(ordinary);
        }
        if (shape.lookupEvery() > 0 && n % shape.lookupEvery() == 0) {
            SysmonEvent lookup = event(host, guid, pid, t.plusSeconds(1), 22);
            lookup.queryName = "api.ipify.org";
            lookup.queryStatus = "0";
            lookup.queryResults = "::ffff:104.26.12.205;";
            next.add(lookup);
        }
    }

    /** An ordinary lookup hours after the load, more than any window and the tolerance. */
    private SysmonEvent clock() {
        Instant end = shape.start().plus(shape.spacing().multipliedBy(shape.processes())).plus(Duration.ofHours(5));
        SysmonEvent tick = event("CLOCK-" + reader, "{00000000-0000-0000-0000-00000000C10C}", "4", end, 22);
        tick.image = "C:\\Windows\\System32\\svchost.exe";
        tick.queryName = "example.com";
        return tick;
    }

    private SysmonEvent event(String host, String guid, String pid, Instant t, int eventId) {
        SysmonEvent e = new SysmonEvent();
        e.format = SourceFormat.FLAT_JSON;
        e.host = host;
        e.eventId = eventId;
        e.eventTime = t.toEpochMilli();
        e.processGuid = guid;
        e.processId = pid;
        e.image = "C:\\Windows\\System32\\wermgr.exe";
        e.user = "NT AUTHORITY\\SYSTEM";
        e.origin = Origin.fileLine("generated-" + reader, process);
        return e;
    }

    /** Holds a reader at gate "load" before its first record, at gate "clock" before the clock, then for good. */
    private static final class Gated implements RateLimiter<NumberSequenceSplit> {
        private final String run;
        private final long loadRecords;
        private long acquired;

        Gated(String run, long loadRecords) {
            this.run = run;
            this.loadRecords = loadRecords;
        }

        @Override
        public CompletionStage<Void> acquire(int permits) {
            long n = acquired;
            acquired += permits;
            if (n == 0) {
                return waitAt("load");
            }
            if (n < loadRecords) {
                return CompletableFuture.completedFuture(null);
            }
            if (n == loadRecords) {
                return waitAt("clock");
            }
            return new CompletableFuture<>();
        }

        private CompletableFuture<Void> waitAt(String name) {
            AtomicInteger waiting = WAITING.computeIfAbsent(run + "/" + name, k -> new AtomicInteger());
            waiting.incrementAndGet();
            return gate(run, name).thenRun(waiting::decrementAndGet);
        }
    }
}
