package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What an analyst waits for on a small input: {@code job/sysmon-cep replay} of a folder, each run a
 * fresh JVM as the launcher starts it, timed from the launcher's start to its exit. The replay's own report says
 * how much of that the job took (submission to end) and how much the embedded Flink's start and the
 * JVM's; a run on one blank line is the start-up alone.
 *
 * <pre>
 * job/sysmon-cep bench small-inputs --input /path/to/incident --runs 3
 * </pre>
 */
@Command(name = "small-inputs", mixinStandardHelpOptions = true,
        description = "Whole-process time of replay on small inputs (fresh JVMs), and the start-up alone on an empty folder.")
public final class SmallInputsBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-i", "--input"}, required = true, description = "A file or folder to replay; may be given more than once.")
    List<Path> inputs;

    @Option(names = "--runs", defaultValue = "3", description = "Runs per input; the median is shown (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--replay-option", description = "An option for the replay, e.g. --replay-option=--parallelism=2.")
    List<String> replayOptions = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One run: whole process, and what the replay's report says of its own times. */
    private record Run(double processSeconds, double wallSeconds, double jobSeconds, long lines, long alerts) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (runs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runs must be 1 or more");
        }
        Path work = Files.createTempDirectory("sysmon-cep-small-inputs");
        try {
            List<Path> all = new ArrayList<>();
            Path startUp = Files.writeString(Files.createDirectories(work.resolve("start-up")).resolve("blank.log"), "\n");
            all.add(startUp);
            all.addAll(inputs);
            out.printf(Locale.ROOT, "machine: %d cores, load average %s; each run is %s replay, a fresh JVM%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), launcher());
            out.printf(Locale.ROOT, "%-44s %10s %10s %10s %10s %10s %8s%n", "input", "lines", "MB", "process s",
                    "in JVM s", "job s", "alerts");
            for (Path input : all) {
                List<Run> measured = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    measured.add(run(input, work.resolve("alerts-" + i + ".jsonl")));
                }
                measured.sort((a, b) -> Double.compare(a.processSeconds(), b.processSeconds()));
                Run median = measured.get(measured.size() / 2);
                String name = input.equals(startUp) ? "(one blank line: the start-up)" : input.toString();
                out.printf(Locale.ROOT, "%-44s %,10d %10.1f %10.2f %10.2f %10.2f %,8d%n", shorten(name), median.lines(),
                        size(input) / 1e6, median.processSeconds(), median.wallSeconds(), median.jobSeconds(),
                        median.alerts());
            }
            out.println("process s: from starting the JVM to its exit (median of " + runs + "); in JVM s: the replay's "
                    + "own wall time (Flink's start and the job); job s: from submission to the job's end");
            out.flush();
            return 0;
        } finally {
            try (var paths = Files.walk(work)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Run run(Path input, Path alerts) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher().toString(), "replay", "--input", input.toString(), "--output", alerts.toString(), "--report", "json",
                "--no-progress"));
        command.addAll(replayOptions);
        Path report = alerts.resolveSibling("report.json");
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(report.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("replay of " + input + " failed (exit " + (p.isAlive() ? "none" : p.exitValue())
                    + "): " + String.join(" ", command));
        }
        double processSeconds = (System.nanoTime() - started) / 1e9;
        JsonNode r = JSON.readTree(report.toFile());
        long alertCount;
        try (var lines = Files.lines(alerts)) {
            alertCount = lines.count();
        }
        return new Run(processSeconds, r.path("wall_time_seconds").asDouble(), r.path("job_time_seconds").asDouble(),
                r.path("input").path("lines_read").asLong(), alertCount);
    }

    /** The launcher the user runs, {@code job/sysmon-cep}, which starts the job in a JVM of its own. */
    private static Path launcher() {
        String home = System.getProperty("sysmoncep.home");
        if (home == null) {
            throw new IllegalStateException("run through job/sysmon-cep bench, which says where the project is (sysmoncep.home)");
        }
        return Path.of(home, "job", "sysmon-cep");
    }

    private static long size(Path input) throws IOException {
        if (Files.isRegularFile(input)) {
            return Files.size(input);
        }
        try (var paths = Files.walk(input)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String shorten(String s) {
        return s.length() <= 44 ? s : "..." + s.substring(s.length() - 41);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
