package dev.sysmoncep.bench.jmh;

import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.WildcardPattern;
import dev.sysmoncep.generate.BackgroundGenerator;
import dev.sysmoncep.generate.GeneratedFormat;
import dev.sysmoncep.read.LineReader;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The replay's hot path, a piece at a time, in lines (or values) per second on the generator's
 * fleet traffic: splitting lines, the candidate filter, the parser per format, a wildcard match.
 * Run with {@code job/sysmon-cep bench jmh} (JMH's options after it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class HotPathBenchmarks {
    private static final int LINES = 4096;

    @Param({"xml", "json", "ecs"})
    public String format;

    private byte[] data;
    private final int[] starts = new int[LINES];
    private final int[] lengths = new int[LINES];
    private CandidateFilter candidates;
    private SysmonLineParser parser;
    private WildcardPattern pipeImage;
    private String[] images;

    @Setup
    public void generate() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(LINES * 1500);
        new BackgroundGenerator(1, 200, Instant.parse("2024-03-11T00:00:00Z"), 1000)
                .writeLines(out, LINES, GeneratedFormat.ofOptionName(format));
        data = out.toByteArray();
        int start = 0;
        for (int i = 0, line = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                starts[line] = start;
                lengths[line++] = i - start;
                start = i + 1;
            }
        }
        candidates = CandidateFilter.of(RuleSet.bundled());
        parser = new SysmonLineParser();
        pipeImage = WildcardPattern.of("*\\wermgr.exe");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            SysmonRecord r = parser.parse(data, starts[i], lengths[i], Origin.fileLine("bench", i));
            if (r.kind == SysmonRecord.Kind.EVENT && r.event.image != null) {
                seen.add(r.event.image);
            }
        }
        images = seen.toArray(String[]::new);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long splitLines() throws IOException {
        LineReader lines = new LineReader(new ByteArrayInputStream(data), SysmonLineParser.DEFAULT_MAX_LINE_BYTES);
        long n = 0;
        while (lines.next()) {
            n += lines.lineLength();
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int candidateFilter() {
        int candidates = 0;
        for (int i = 0; i < LINES; i++) {
            if (this.candidates.mayMatch(data, starts[i], lengths[i])) {
                candidates++;
            }
        }
        return candidates;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void parse(Blackhole sink) {
        for (int i = 0; i < LINES; i++) {
            sink.consume(parser.parse(data, starts[i], lengths[i], Origin.fileLine("bench", i)));
        }
    }

    /** Per Image value of the sample: the pipe rule's {@code *\wermgr.exe}. */
    /** What the default replay does with a line no rule can match: tells what it is without parsing it. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public int classify() {
        int settled = 0;
        for (int i = 0; i < LINES; i++) {
            if (parser.classify(data, starts[i], lengths[i])) {
                settled++;
            }
        }
        return settled;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int wildcardMatch() {
        int matches = 0;
        for (int i = 0; i < LINES; i++) {
            if (pipeImage.matches(images[i % images.length])) {
                matches++;
            }
        }
        return matches;
    }
}
