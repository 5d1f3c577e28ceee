package dev.sysmoncep.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.cli.SysmonCep;
import dev.sysmoncep.detect.RuleSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A generated file with attacks mixed in, replayed: the job raises exactly the alerts the generator expects. */
class GeneratedAttacksReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    @Test
    void replayRaisesTheExpectedAlertsInEveryFormat() throws IOException {
        Path logs = dir.resolve("fleet.log");
        Path expected = dir.resolve("expected.jsonl");
        generate(logs, expected, "mixed");

        List<String> expectedAlerts = alertKeys(expected);
        Set<String> rulesAlerting = expectedAlerts.stream().map(k -> k.split(" ")[1]).collect(Collectors.toSet());
        assertThat(rulesAlerting).as("every rule, the sequence included, has alerts to find")
                .hasSize(RuleSet.bundled().eventRules().size() + RuleSet.bundled().sequences().size());

        assertThat(alertKeys(replay(logs, "plain.jsonl"))).isEqualTo(expectedAlerts);
        assertThat(alertKeys(replay(logs, "skipping.jsonl", "--skip-unmatchable-lines"))).isEqualTo(expectedAlerts);
    }

    @Test
    void sameSeedSameAttacksAndSameExpectedAlerts() throws IOException {
        for (String format : List.of("xml", "json", "ecs")) {
            Path first = dir.resolve("first." + format);
            Path second = dir.resolve("second." + format);
            generate(first, dir.resolve("first-expected." + format), format);
            generate(second, dir.resolve("second-expected." + format), format);
            assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
            assertThat(Files.readString(dir.resolve("first-expected." + format)))
                    .isEqualTo(Files.readString(dir.resolve("second-expected." + format)))
                    .contains("\"rule\":{\"id\":\"f1a81b48-2139-4631-b968-ff5db9979678\"");
            assertThat(Files.readAllLines(first)).hasSize(20_000);
        }
    }

    private void generate(Path logs, Path expected, String format) {
        StringWriter err = new StringWriter();
        CommandLine cli = SysmonCep.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("generate", "--events", "20000", "--format", format, "--hosts", "20", "--rate", "50",
                "--seed", "7", "--attacks-per-million", "2500", "--output", logs.toString(),
                "--expected-alerts", expected.toString());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains("attack scenarios in").contains("alerts expected");
    }

    private Path replay(Path logs, String name, String... options) {
        Path alerts = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("replay", "--input", logs.toString(), "--output",
                alerts.toString(), "-p", "2", "--quiet"));
        args.addAll(List.of(options));
        StringWriter err = new StringWriter();
        CommandLine cli = SysmonCep.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args.toArray(String[]::new))).as(err.toString()).isZero();
        return alerts;
    }

    /** Alert id, rule id, host and ProcessGuid of each alert line, sorted. */
    private static List<String> alertKeys(Path file) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode a = JSON.readTree(line);
            keys.add(a.at("/event/id").asText() + " " + a.at("/rule/id").asText() + " " + a.at("/host/name").asText()
                    + " " + a.at("/process/entity_id").asText());
        }
        return new ArrayList<>(keys);
    }
}
