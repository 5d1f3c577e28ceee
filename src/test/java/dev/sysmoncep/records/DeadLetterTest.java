package dev.sysmoncep.records;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadLetterTest {

    @Test
    void reasonsOfOneKindCountTogetherWhateverTheirParticulars() {
        assertThat(DeadLetter.reasonKind("invalid UTF-8 at byte 17")).isEqualTo("invalid UTF-8 at byte #");
        assertThat(DeadLetter.reasonKind("not JSON or XML (starts with byte 0x67)"))
                .isEqualTo("not JSON or XML (starts with byte #)");
        assertThat(DeadLetter.reasonKind("event id is not an integer: 'twenty-two'"))
                .isEqualTo("event id is not an integer: '...'");
        assertThat(DeadLetter.reasonKind("line of 2000000 bytes is over the limit of 1048576 bytes"))
                .isEqualTo("line of # bytes is over the limit of # bytes");
        assertThat(DeadLetter.reasonKind("blank line")).isEqualTo("blank line");
    }
}
