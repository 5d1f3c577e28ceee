package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path yaml() throws Exception {
        return Files.writeString(dir.resolve("sysmon-cep.yml"), """
                # every subcommand with these options
                sequence-window: 30m
                rules:
                  format: json
                replay:
                  input: [logs/a, logs/b.jsonl.gz]
                  output: out/alerts.jsonl
                  parallelism: 3
                  quiet: true
                """);
    }

    private static ReplayCommand parseReplay(String... args) {
        ParseResult parsed = SysmonCep.commandLine().parseArgs(args);
        return (ReplayCommand) parsed.subcommand().commandSpec().userObject();
    }

    private static String sequenceWindowOfRules(String... args) throws Exception {
        Cli r = Cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return new ObjectMapper().readTree(r.out()).at("/windows/sequence").asText();
    }

    @Test
    void topLevelKeysApplyToEverySubcommandSectionsToTheirOwnAndTheCommandLineWins() throws Exception {
        Path config = yaml();

        assertThat(sequenceWindowOfRules("--config", config.toString(), "rules")).isEqualTo("PT30M");
        assertThat(sequenceWindowOfRules("rules", "--config", config.toString())).isEqualTo("PT30M");
        assertThat(sequenceWindowOfRules("rules", "--config", config.toString(), "--sequence-window", "5m"))
                .isEqualTo("PT5M");

        ReplayCommand replay = parseReplay("--config", config.toString(), "replay");
        assertThat(replay.inputs).containsExactly(Location.of(dir.resolve("logs/a")), Location.of(dir.resolve("logs/b.jsonl.gz")));
        assertThat(replay.output).isEqualTo(Location.of(dir.resolve("out/alerts.jsonl")));
        assertThat(replay.parallelism).isEqualTo(3);
        assertThat(replay.quiet).isTrue();
        assertThat(replay.detection.sequenceWindow).isEqualTo(Duration.ofMinutes(30));

        ReplayCommand overridden = parseReplay("--config", config.toString(), "replay", "--input", "other", "-p", "1");
        assertThat(overridden.inputs).containsExactly(Location.of("other"));
        assertThat(overridden.parallelism).isEqualTo(1);
    }

    @Test
    void aPropertiesFileWorksTheSameWay() throws Exception {
        Path config = Files.writeString(dir.resolve("sysmon-cep.properties"), """
                sequence-window = 45m
                replay.output = alerts.jsonl
                replay.input = logs/a\\nlogs/b
                """);

        assertThat(sequenceWindowOfRules("rules", "--format", "json", "--config", config.toString())).isEqualTo("PT45M");
        ReplayCommand replay = parseReplay("replay", "--config", config.toString());
        assertThat(replay.inputs).containsExactly(Location.of(dir.resolve("logs/a")), Location.of(dir.resolve("logs/b")));
        assertThat(replay.output).isEqualTo(Location.of(dir.resolve("alerts.jsonl")));
    }

    @Test
    void anUnknownKeyIsAnErrorNamingItAndTheKnownKeys() throws Exception {
        Path config = Files.writeString(dir.resolve("typo.yml"), "sequence_window: 30m\n");

        Cli r = Cli.run("rules", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("config " + config + ": unknown key 'sequence_window'", "sequence-window");
    }

    @Test
    void anUnknownSectionIsAnError() throws Exception {
        Path config = Files.writeString(dir.resolve("section.yml"), "replai:\n  output: a.jsonl\n");

        Cli r = Cli.run("rules", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("unknown section 'replai'", "replay");
    }

    @Test
    void aBadValueInTheFileIsAConfigErrorNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yml"), "rules:\n  sequence-window: soon\n");

        Cli r = Cli.run("rules", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("config " + config + ": key 'rules.sequence-window'", "'soon' is not a duration");
    }

    @Test
    void aMissingConfigFileIsAConfigError() {
        Cli r = Cli.run("rules", "--config", dir.resolve("nope.yml").toString());

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("config file " + dir.resolve("nope.yml") + " does not exist");
    }

    @Test
    void aListForAnOptionThatTakesOneValueIsAnError() throws Exception {
        Path config = Files.writeString(dir.resolve("list.yml"), "replay:\n  output: [a.jsonl, b.jsonl]\n  input: logs\n");

        Cli r = Cli.run("--config", config.toString(), "replay");

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).contains("key 'replay.output' has a list, but --output takes one value");
    }
}
