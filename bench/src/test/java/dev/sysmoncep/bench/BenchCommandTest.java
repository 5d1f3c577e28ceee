package dev.sysmoncep.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.TestFlink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The bench as a user runs it on a tiny generated file: its table, its checks and its last line (no timings judged). */
class BenchCommandTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestFlink.twoSlots();

    @TempDir
    Path dir;

    @Test
    void measuresEachWayOnOneFileAndEndsWithTheSummaryLine() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("--events", "5000", "--repeat", "2", "--format", "mixed", "--attacks-per-million", "2000",
                "--rate", "10", "-p", "2", "--work-dir", dir.toString());

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("input: ").contains("5,000 lines");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("measurement").contains("events/s", "MB/s", "peak RSS MB"));
        for (String once : List.of("raw read: plain Java loop", "naive: tree per line")) {
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(once).contains(" 5,000 "));
        }
        for (String twice : List.of("raw read: Flink FileSource", "replay, every line checked", "replay --skip-unmatchable-lines")) {
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(twice).contains(" 10,000 "));
        }
        for (String replay : List.of("replay, every line checked: 10,000 events parsed, 0 lines left unparsed",
                "replay --skip-unmatchable-lines: \\d+ events parsed, [\\d,]+ lines left unparsed")) {
            Matcher alerts = Pattern.compile(replay + ", 0 dead-lettered, .* (\\d+) alerts \\((\\d+) expected by the generator\\)")
                    .matcher(out.toString());
            assertThat(alerts.find()).as(replay + " in " + out).isTrue();
            assertThat(alerts.group(1)).isEqualTo(alerts.group(2)).isNotEqualTo("0");
        }
        assertThat(lines.get(lines.size() - 2))
                .matches("every line checked: replay \\d+ events/s, \\d+\\.\\d\\dx raw read, \\d+\\.\\dx naive");
        assertThat(lines.get(lines.size() - 1))
                .matches("bench: replay \\d+ events/s, \\d+\\.\\d\\dx raw read, \\d+\\.\\dx naive");
        assertThat(Files.exists(dir.resolve("bench-events.mixed.log"))).isTrue();
    }
}
