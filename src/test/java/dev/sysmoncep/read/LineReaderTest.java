package dev.sysmoncep.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(byte[] input, int maxLineBytes, List<Long> fullLengths) throws IOException {
        LineReader r = new LineReader(new ByteArrayInputStream(input), maxLineBytes);
        List<String> out = new ArrayList<>();
        while (r.next()) {
            out.add(new String(r.lineBuffer(), r.lineOffset(), r.lineLength(), StandardCharsets.UTF_8));
            fullLengths.add(r.fullLength());
        }
        return out;
    }

    @Test
    void splitsOnLfAndCrLfAndKeepsALastLineWithoutNewline() throws IOException {
        List<Long> lengths = new ArrayList<>();
        assertThat(lines("a\r\nbb\n\nccc".getBytes(StandardCharsets.UTF_8), 1024, lengths))
                .containsExactly("a", "bb", "", "ccc");
        assertThat(lines(new byte[0], 1024, lengths)).isEmpty();
    }

    @Test
    void aLineOverTheLimitIsReportedWithItsHeadAndLengthAndTheNextLineStillReads() throws IOException {
        String huge = "x".repeat(5_000_000);
        List<Long> lengths = new ArrayList<>();
        List<String> got = lines(("first\n" + huge + "\nlast\n").getBytes(StandardCharsets.UTF_8), 4096, lengths);
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo("first");
        assertThat(got.get(1)).hasSize(4096);
        assertThat(lengths.get(1)).isEqualTo(5_000_000L);
        assertThat(got.get(2)).isEqualTo("last");
    }

    /**
     * Memory is bounded by the line limit, not by the input: a 256 MiB line (made up as it is read,
     * never held) passes through while the reader allocates a few MiB, counted by the JVM for this
     * thread alone.
     */
    @Test
    void aQuarterGigabyteLineCostsTheReaderOnlyItsLimitsWorthOfMemory() throws IOException {
        long hugeLength = 256L << 20;
        int maxLineBytes = 1 << 20;
        InputStream input = new InputStream() {
            private long served;

            @Override
            public int read() {
                throw new UnsupportedOperationException("the reader reads in blocks");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                byte[] tail = "\nlast\n".getBytes(StandardCharsets.UTF_8);
                if (served >= hugeLength + tail.length) {
                    return -1;
                }
                int n = 0;
                for (; n < len && served < hugeLength + tail.length; n++, served++) {
                    b[off + n] = served < hugeLength ? (byte) 'x' : tail[(int) (served - hugeLength)];
                }
                return n;
            }
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        LineReader r = new LineReader(input, maxLineBytes);
        assertThat(r.next()).isTrue();
        assertThat(r.overLimit()).isTrue();
        assertThat(r.fullLength()).isEqualTo(hugeLength);
        assertThat(r.lineLength()).isEqualTo(64 * 1024);
        assertThat(r.next()).isTrue();
        assertThat(new String(r.lineBuffer(), r.lineOffset(), r.lineLength(), StandardCharsets.UTF_8)).isEqualTo("last");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // Bounded by the limit, not the line: a few buffers, plus the Vector API's boxes until the JIT compiles the scan.
        assertThat(allocated).as("bytes allocated reading a %d-byte line", hugeLength).isLessThan(16L * maxLineBytes);
    }

    @Test
    void linesLongerThanTheInitialBufferButWithinTheLimitArriveWhole() throws IOException {
        String longLine = "y".repeat(300_000);
        List<Long> lengths = new ArrayList<>();
        assertThat(lines((longLine + "\nz").getBytes(StandardCharsets.UTF_8), 1 << 20, lengths))
                .containsExactly(longLine, "z");
    }

    @Test
    void linesOfEveryLengthAroundTheScanStepsSplitExactlyWhateverTheReadSizes() throws IOException {
        Random random = new Random(11);
        List<String> expected = new ArrayList<>();
        StringBuilder input = new StringBuilder();
        for (int length = 0; length < 300; length++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < length; i++) {
                line.append((char) (' ' + random.nextInt(95)));
            }
            expected.add(line.toString());
            input.append(line).append(random.nextInt(4) == 0 ? "\r\n" : "\n");
        }
        byte[] bytes = input.toString().getBytes(StandardCharsets.US_ASCII);
        // A stream that hands out a few bytes at a time, so lines straddle every read.
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(97)));
            }
        };
        LineReader reader = new LineReader(trickle, 1 << 20);
        List<String> got = new ArrayList<>();
        while (reader.next()) {
            got.add(new String(reader.lineBuffer(), reader.lineOffset(), reader.lineLength(), StandardCharsets.US_ASCII));
        }
        assertThat(got).containsExactlyElementsOf(expected);
    }
}
