package dev.sysmoncep.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The quick checks cross strings and XML text by the marks of their stops: a mark missed would let a
 * bad line pass, a mark invented would only cost time, so both ways of marking must set exactly the
 * bits a byte-by-byte loop sets, and {@link StopMarks#next} must find each stop in turn, at every
 * length and offset.
 */
class StopMarksTest {
    private static final byte[] ALPHABET = {'"', '\'', '\\', '<', '&', ']', 0, '\t', '\n', '\r', 0x1F, 0x20, 'a', '{', 0x7F,
        (byte) 0x80, (byte) 0xC3, (byte) 0xEF, (byte) 0xBF, (byte) 0xFF};

    @Test
    void vectorAndWordMarksAreExactlyTheStopsOfAByteLoop() {
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            byte[] buf = randomBytes(random);
            int from = random.nextInt(buf.length);
            int to = from + random.nextInt(buf.length - from + 1);
            for (Stops kind : Stops.values()) {
                long[] expected = new long[(to - from + 63) / 64 + 1];
                for (int i = from; i < to; i++) {
                    if (kind.stopsAt(buf[i])) {
                        expected[(i - from) >>> 6] |= 1L << (i - from);
                    }
                }
                long[] words = new long[expected.length];
                ByteWords.mark(kind, buf, from, to, words);
                assertThat(words).as("%s eight at a time, bytes [%d, %d)", kind, from, to).containsExactly(expected);
                if (VectorSupport.AVAILABLE) { // the build runs the tests once without the Vector API's module too
                    long[] vectors = new long[expected.length];
                    ByteVectors.mark(kind, buf, from, to, vectors);
                    assertThat(vectors).as("%s a vector at a time, bytes [%d, %d)", kind, from, to).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void nextFindsEveryStopInTurnAndTheEndAfterTheLast() {
        Random random = new Random(12);
        StopMarks marks = new StopMarks(Stops.XML_TEXT);
        for (int round = 0; round < 5_000; round++) {
            byte[] buf = randomBytes(random);
            int from = random.nextInt(buf.length);
            int to = from + random.nextInt(buf.length - from + 1);
            marks.mark(buf, from, to);
            int at = from;
            for (int i = from; i < to; i++) {
                if (Stops.XML_TEXT.stopsAt(buf[i])) {
                    assertThat(marks.next(at)).as("after %d in [%d, %d)", at, from, to).isEqualTo(i);
                    at = i + 1;
                }
            }
            assertThat(marks.next(at)).isEqualTo(to);
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] buf = new byte[random.nextInt(400) + 1];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = random.nextInt(3) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : (byte) random.nextInt(256);
        }
        return buf;
    }
}
