package dev.sysmoncep.generate;

import dev.sysmoncep.detect.RuleSet;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sysmon-cep generate}: writes a file of Sysmon events for load and false-positive tests,
 * with wermgr attack scenarios mixed in on request and the alerts they must raise.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Writes ordinary Sysmon events of a Windows fleet, one per line: the event mix, field values and "
                + "line sizes of real workstations. Of themselves they match no sysmon-cep rule (no alert may fire "
                + "on them); attacks come only with --attacks-per-million. Deterministic: the same options give the "
                + "same file.",
            "With --attacks-per-million, Qakbot/TrickBot-like wermgr.exe scenarios take some of the lines: named "
                + "pipe and IP-check lookup by one process (either order), pipe only, lookup only, and near misses "
                + "no rule may match; --expected-alerts writes the alerts a replay must raise.",
            "Prints one line to standard error when done: events, bytes, seconds (and a second one on the attacks)."
        })
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000",
            description = "Number of events (lines) to write. Default: ${DEFAULT-VALUE}.")
    private long events;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "xml", converter = FormatOption.class,
            description = "xml (Splunk XmlWinEventLog), json (OTRF flat JSON), ecs (Winlogbeat ECS JSON) or mixed "
                    + "(the three in turn, line by line). Default: ${DEFAULT-VALUE}.")
    private GeneratedFormat format;

    @Option(names = "--output", paramLabel = "FILE", required = true,
            description = "File to write, gzip-compressed when its name ends with .gz; - for standard output. "
                    + "Written under a temporary name and renamed when complete.")
    private String output;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generator. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "200",
            description = "Number of workstations, 1 to " + BackgroundGenerator.MAX_HOSTS + ". Default: ${DEFAULT-VALUE}.")
    private int hosts;

    @Option(names = "--start", paramLabel = "INSTANT", defaultValue = "2024-03-11T00:00:00Z",
            description = "Event time of the first event, ISO-8601. Default: ${DEFAULT-VALUE}.")
    private Instant start;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND", defaultValue = "1000",
            description = "Events per second of event time, over the whole fleet. Default: ${DEFAULT-VALUE}.")
    private double rate;

    @Option(names = "--attacks-per-million", paramLabel = "N", defaultValue = "0",
            description = "Wermgr attack scenarios started per million lines, on average (each writes 3 to 9 lines "
                    + "over up to a few minutes of event time). Default: ${DEFAULT-VALUE}.")
    private double attacksPerMillion;

    @Option(names = "--expected-alerts", paramLabel = "FILE",
            description = "Write here the alerts a replay of the file with the bundled rules must raise, one JSON "
                    + "line each: event.id (the alert id), rule.id, rule.name, host.name, process.entity_id.")
    private Path expectedAlerts;

    @Override
    public Integer call() throws IOException {
        if (events < 0) {
            throw new ParameterException(spec.commandLine(), "--events must not be negative: " + events);
        }
        BackgroundGenerator generator;
        WermgrAttacks attacks;
        try {
            generator = new BackgroundGenerator(seed, hosts, start, rate);
            attacks = attacksPerMillion == 0 ? null : generator.mixInAttacks(attacksPerMillion, events);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long began = System.nanoTime();
        long bytes;
        String written;
        if (output.equals("-")) {
            PrintStream stdout = System.out;
            bytes = generator.writeLines(stdout, events, format);
            stdout.flush();
            written = "standard output";
        } else {
            Path target = Path.of(output);
            bytes = writeFile(generator, target);
            written = target + (isGzip(target) ? " (" + Files.size(target) + " bytes compressed)" : "");
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        spec.commandLine().getErr().printf("generate: %d events (%s), %d bytes to %s in %.1f s (%.0f events/s)%n",
                events, format.optionName, bytes, written, seconds, events / Math.max(seconds, 1e-9));
        List<ExpectedAlerts.Expected> expected = ExpectedAlerts.of(
                attacks == null ? List.of() : attacks.emitted(), RuleSet.bundled());
        if (expectedAlerts != null) {
            ExpectedAlerts.write(expected, expectedAlerts);
        }
        if (attacks != null) {
            spec.commandLine().getErr().printf("generate: %d attack scenarios in %d lines; %d alerts expected %s%s%n",
                    attacks.scenarios(), attacks.emitted().size(), expected.size(), ExpectedAlerts.countsByRule(expected),
                    expectedAlerts == null ? "" : ", listed in " + expectedAlerts);
        }
        return 0;
    }

    /** Writes beside the target and renames, so a reader never sees half a file. */
    private long writeFile(BackgroundGenerator generator, Path target) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, "." + target.getFileName() + ".", ".partial");
        try {
            long bytes;
            try (OutputStream file = Files.newOutputStream(partial);
                    OutputStream out = isGzip(target) ? new FastGzipOutputStream(file) : file) {
                bytes = generator.writeLines(out, events, format);
            }
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return bytes;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static boolean isGzip(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    /**
     * Gzip at the fastest level: the default level compresses a few tens of MB/s and would be the
     * bottleneck of the generator; level 1 keeps up and still shrinks these logs about tenfold.
     */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** Reads {@code --format}. */
    public static final class FormatOption implements CommandLine.ITypeConverter<GeneratedFormat> {
        @Override
        public GeneratedFormat convert(String value) {
            return GeneratedFormat.ofOptionName(value);
        }
    }
}
