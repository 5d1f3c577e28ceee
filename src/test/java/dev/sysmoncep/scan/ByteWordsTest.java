package dev.sysmoncep.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eight-at-a-time tests find exactly the bytes a byte-by-byte loop finds. */
class ByteWordsTest {

    @Test
    void wordTestsAgreeWithByteTestsForEveryByteValueInEveryPlace() {
        Random random = new Random(3);
        byte[] buf = new byte[16];
        for (int round = 0; round < 200_000; round++) {
            random.nextBytes(buf);
            int target = random.nextInt(256);
            // Plant the byte sought, and bytes that differ from it by one bit, next to each other.
            buf[random.nextInt(16)] = (byte) target;
            buf[random.nextInt(16)] = (byte) (target ^ (1 << random.nextInt(8)));
            int at = random.nextInt(9);
            long word = ByteWords.word(buf, at);
            long equal = ByteWords.bytesEqual(word, ByteWords.repeated(target));
            long unprintable = ByteWords.notPrintableAscii(word);
            int first = -1;
            for (int k = 0; k < 8; k++) {
                int b = buf[at + k] & 0xFF;
                assertThat((equal >>> (8 * k)) & 0xFF).isEqualTo(b == target ? 0x80L : 0L);
                assertThat((unprintable >>> (8 * k)) & 0xFF).isEqualTo(b < 0x20 || b >= 0x80 ? 0x80L : 0L);
                if (first < 0 && b == target) {
                    first = k;
                }
            }
            if (first >= 0) {
                assertThat(ByteWords.firstIndex(equal)).isEqualTo(first);
            }
        }
    }
}
