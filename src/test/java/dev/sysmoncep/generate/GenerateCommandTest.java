package dev.sysmoncep.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    @Test
    void writesAGzipFileUnderItsNameAndReportsOnStandardError() throws IOException {
        Path out = dir.resolve("fleet.xml.gz");

        int exit = run("--events", "2000", "--format", "xml", "--hosts", "50", "--output", out.toString());

        assertThat(exit).isZero();
        List<String> lines = gunzipLines(out);
        assertThat(lines).hasSize(2000).allMatch(l -> l.startsWith("<Event xmlns="));
        RenderedLines.xml(lines.get(0));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(out);
        }
        assertThat(err.toString()).startsWith("generate: 2000 events (xml), ")
                .contains("bytes to " + out).contains(" s (").endsWith("events/s)" + System.lineSeparator());
    }

    @Test
    void writesEachFormatAndIsDeterministic() throws IOException {
        for (String format : List.of("json", "ecs", "mixed")) {
            Path first = dir.resolve("first." + format);
            Path second = dir.resolve("second." + format);
            assertThat(run("--events", "300", "--format", format, "--seed", "5", "--start", "2024-03-12T08:00:00Z",
                    "--rate", "50", "--output", first.toString())).isZero();
            assertThat(run("--events", "300", "--format", format, "--seed", "5", "--start", "2024-03-12T08:00:00Z",
                    "--rate", "50", "--output", second.toString())).isZero();
            assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
            List<String> lines = Files.readAllLines(first, StandardCharsets.UTF_8);
            assertThat(lines).hasSize(300);
            if (!format.equals("mixed")) {
                lines.forEach(RenderedLines::json);
            }
            assertThat(lines.get(0)).contains("2024-03-12");
        }
    }

    @Test
    void rejectsAnUnknownFormatWithoutWritingAnything() throws IOException {
        Path out = dir.resolve("never.txt");

        int exit = run("--events", "10", "--format", "csv", "--output", out.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown format 'csv'");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void rejectsAFleetItCannotGenerate() {
        assertThat(run("--hosts", "0", "--output", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(run("--rate", "-3", "--output", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(run("--events", "-1", "--output", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("hosts must be 1 to").contains("events per second must be positive");
    }

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new GenerateCommand());
        cli.setOut(new PrintWriter(out));

        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("--events", "--format", "--output", "--seed", "--hosts", "--start", "--rate");
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new GenerateCommand());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static List<String> gunzipLines(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
