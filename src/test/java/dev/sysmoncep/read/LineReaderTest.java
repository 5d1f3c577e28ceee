package dev.sysmoncep.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void linesLongerThanTheInitialBufferButWithinTheLimitArriveWhole() throws IOException {
        String longLine = "y".repeat(300_000);
        List<Long> lengths = new ArrayList<>();
        assertThat(lines((longLine + "\nz").getBytes(StandardCharsets.UTF_8), 1 << 20, lengths))
                .containsExactly(longLine, "z");
    }
}
