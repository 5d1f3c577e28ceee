package dev.sysmoncep.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JSON quick check crosses strings by the marks of their stops (quotes, backslashes, ASCII
 * controls): a mark missed would let a bad string pass, a mark invented would only cost time, so
 * both ways of marking must set exactly the bits a byte-by-byte loop sets, at every length and offset.
 */
class StringStopsTest {

    @Test
    void vectorAndWordMarksAreExactlyTheStopsOfAByteLoop() {
        Random random = new Random(11);
        byte[] alphabet = {'"', '\\', 0, '\t', '\n', '\r', 0x1F, 0x20, 'a', '{', 0x7F, (byte) 0x80, (byte) 0xC3, (byte) 0xFF,
            (byte) 0xA2, (byte) 0xDC};
        for (int round = 0; round < 20_000; round++) {
            byte[] buf = new byte[random.nextInt(400) + 1];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = random.nextInt(3) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            int from = random.nextInt(buf.length);
            int to = from + random.nextInt(buf.length - from + 1);
            long[] expected = new long[(to - from + 63) / 64 + 1];
            for (int i = from; i < to; i++) {
                byte b = buf[i];
                if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
                    expected[(i - from) >>> 6] |= 1L << (i - from);
                }
            }
            long[] words = new long[expected.length];
            long[] vectors = new long[expected.length];
            ByteWords.markStringStops(buf, from, to, words);
            assertThat(words).as("eight at a time, bytes [%d, %d)", from, to).containsExactly(expected);
            if (VectorSupport.AVAILABLE) { // the build runs the tests once without the Vector API's module too
                ByteVectors.markStringStops(buf, from, to, vectors);
                assertThat(vectors).as("a vector at a time, bytes [%d, %d)", from, to).containsExactly(expected);
            }
        }
    }
}
