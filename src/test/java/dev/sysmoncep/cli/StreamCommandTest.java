package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The stream command's options, refused before any Flink or Kafka client starts. */
class StreamCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SysmonCep.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    @Test
    void brokersAreNeeded() {
        assertThat(run("stream", "--topics", "sysmon", "--alert-topic", "alerts")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing --bootstrap-servers");
    }

    @Test
    void alertsNeedATopicOrAnElasticsearchNode() {
        assertThat(run("stream", "-b", "127.0.0.1:9", "-t", "sysmon")).isEqualTo(2);
        assertThat(err.toString()).contains("give --alert-topic, --elasticsearch, or both");
    }

    @Test
    void topicsOrAPatternButNotBoth() {
        assertThat(run("stream", "-b", "127.0.0.1:9", "--alert-topic", "alerts")).isEqualTo(2);
        assertThat(run("stream", "-b", "127.0.0.1:9", "-t", "a,b", "--topic-pattern", "sysmon-.*", "-a", "alerts"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void aCheckpointIntervalAsLongAsTheTransactionTimeoutIsRefused() {
        assertThat(run("stream", "-b", "127.0.0.1:9", "-t", "sysmon", "-a", "alerts", "--checkpoint-interval", "15m"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("must be shorter than --transaction-timeout");
    }

    @Test
    void startingPointsAndGuaranteesAreChecked() {
        assertThat(run("stream", "-b", "127.0.0.1:9", "-t", "sysmon", "-a", "alerts", "--start-from", "yesterday"))
                .isEqualTo(2);
        assertThat(run("stream", "-b", "127.0.0.1:9", "-t", "sysmon", "-a", "alerts", "--delivery-guarantee", "twice"))
                .isEqualTo(2);
    }
}
