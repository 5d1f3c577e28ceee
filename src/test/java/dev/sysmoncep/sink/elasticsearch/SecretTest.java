package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretTest {

    @Test
    void neverShowsItsValue(@TempDir Path dir) {
        assertThat(Secret.of("hunter2")).hasToString("Secret[***]");
        assertThat(Secret.fromEnv("ES_PASSWORD")).hasToString("Secret[env ES_PASSWORD]");
        assertThat(Secret.fromFile(dir.resolve("pw"))).hasToString("Secret[file " + dir.resolve("pw") + "]");
    }

    @Test
    void aFileLosesOnlyItsTrailingLineBreak(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), " pass word \n\n");

        assertThat(Secret.fromFile(file).reveal()).isEqualTo(" pass word ");
    }

    @Test
    void aMissingVariableSaysWhichOne() {
        assertThatThrownBy(() -> Secret.fromEnv("SYSMON_CEP_NO_SUCH_VARIABLE").reveal())
                .hasMessage("Environment variable SYSMON_CEP_NO_SUCH_VARIABLE is not set");
    }
}
