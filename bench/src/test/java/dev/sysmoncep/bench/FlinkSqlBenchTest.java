package dev.sysmoncep.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios;
import dev.sysmoncep.TestFlink;
import dev.sysmoncep.records.SourceFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench flink-sql} as a user runs it: real OTRF lines (the bundled sample, benign wermgr lookups
 * among ordinary pipes and queries) beside the test attack scenarios in the same flat JSON, read
 * twice over; both jobs raise the same alerts per rule, and the summary line ends it (no timings judged).
 */
class FlinkSqlBenchTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    /** The project's own copy of the real lines (job/samples, see its _PROVENANCE.md), from bench/. */
    private static final Path REAL_LINES = Path.of("../job/samples/real/otrf_lsass_campaign_05_sysmon_17_18_22_plus_wermgr_1_5.jsonl");

    @TempDir
    Path dir;

    @Test
    void runsTheReplayAndTheRulesInFlinkSqlOnTheSameFilesAndEndsWithTheSummaryLine() throws Exception {
        Scenarios.Scenario attacks = Scenarios.qakbotLike();
        Path attack = Scenarios.write(dir.resolve("attack.jsonl"), attacks.events(), SourceFormat.FLAT_JSON, 5);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("flink-sql", "--input", REAL_LINES.toString(), "--input", attack.toString(), "--repeat", "2",
                "-p", "2");

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        long inputLines = 2 * (685 + attacks.events().size());
        assertThat(lines.get(0)).startsWith("input: ").contains(String.format("%,d lines", inputLines), "read 2 times over");
        assertThat(lines.get(1)).matches("machine: \\d+ cores, load average .* before, .* after; .*");
        String expected = "{" + Scenarios.PIPE_RULE + "=" + count(attacks, Scenarios.PIPE_RULE) + ", "
                + Scenarios.IP_CHECK_RULE + "=" + count(attacks, Scenarios.IP_CHECK_RULE) + ", "
                + Scenarios.SEQUENCE_RULE + "=" + count(attacks, Scenarios.SEQUENCE_RULE) + "}";
        long total = attacks.expected().size();
        for (String job : List.of("replay, every line checked", "Flink SQL: WHERE, TUMBLE, MATCH_RECOGNIZE")) {
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(job)
                    .matches(".* " + String.format("%,d", inputLines) + " .* " + total + "$"));
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("replay: ").endsWith("alerts per rule " + expected));
        assertThat(lines).contains("Flink SQL: alerts per rule " + expected);
        assertThat(lines.get(lines.size() - 1)).matches(
                "bench: flink-sql replay \\d+ events/s, Flink SQL \\d+ events/s, \\d+\\.\\dx \\(\\d+\\.\\dx over wall time\\)");
    }

    private static long count(Scenarios.Scenario s, String rule) {
        return s.expected().stream().filter(e -> e.ruleId().equals(rule)).count();
    }
}
