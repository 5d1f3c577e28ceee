package dev.sysmoncep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Each class of error: one message on stderr naming the thing and the fix, its exit code, no stack
 * trace, no output file. All of these are found before Flink starts.
 */
class CommandLineErrorsTest {
    @TempDir
    Path dir;

    private Path sysmonLog() throws Exception {
        return Files.copy(Path.of("src/test/resources/real/splunk_security_content_sysmon_examples.xml"),
                dir.resolve("sysmon.xml"));
    }

    private Cli replay(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.run(all);
    }

    private static void assertOneClearError(Cli r, int exitCode, String... messageParts) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exitCode);
        assertThat(r.err()).as(r.toString()).contains(messageParts).doesNotContain("\tat ", "Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingInputIsAnInputError() throws Exception {
        Path out = dir.resolve("alerts.jsonl");

        Cli r = replay("--input", dir.resolve("nope").toString(), "--output", out.toString());

        assertOneClearError(r, 3, "sysmon-cep replay: input " + dir.resolve("nope") + " does not exist; check the path");
        assertThat(out).doesNotExist();
    }

    @Test
    void aDirectoryWithOnlyHiddenFilesIsAnInputError() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/.sysmon.xml.swp"), "x");
        Files.writeString(dir.resolve("logs/_SUCCESS"), "");

        Cli r = replay("--input", dir.resolve("logs").toString(), "--output", dir.resolve("alerts.jsonl").toString());

        assertOneClearError(r, 3, "holds no file to read (names starting with '.' or '_' are skipped as hidden)");
    }

    @Test
    void anInputWithAHiddenNameIsAnInputErrorNotASilentlyEmptyReplay() throws Exception {
        Path hidden = Files.createDirectories(dir.resolve("_incident-42"));
        Files.copy(sysmonLog(), hidden.resolve("sysmon.xml"));

        Cli r = replay("--input", hidden.toString(), "--output", dir.resolve("alerts.jsonl").toString());

        assertOneClearError(r, 3, "input " + hidden + " would be read as nothing", "rename it");
    }

    @Test
    void anOutputInAMissingDirectoryIsAnOutputError() throws Exception {
        Path out = dir.resolve("results/alerts.jsonl");

        Cli r = replay("--input", sysmonLog().toString(), "--output", out.toString());

        assertOneClearError(r, 4, "directory " + dir.resolve("results") + " (of --output " + out + ") does not exist",
                "mkdir -p");
        assertThat(dir.resolve("results")).doesNotExist();
    }

    @Test
    void anOutputUnderAFileIsAnOutputError() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");

        Cli r = replay("--input", sysmonLog().toString(), "--output", dir.resolve("alerts.jsonl").toString(),
                "--dead-letter", file.resolve("dead.jsonl").toString());

        assertOneClearError(r, 4, file + " (of --dead-letter " + file.resolve("dead.jsonl") + ") is not a directory");
        assertThat(dir.resolve("alerts.jsonl")).doesNotExist();
    }

    @Test
    void anOutputThatIsADirectoryIsAnOutputError() throws Exception {
        Cli r = replay("--input", sysmonLog().toString(), "--output", dir.toString());

        assertOneClearError(r, 4, "--output " + dir + " is a directory; give a file name");
    }

    @Test
    void badOptionValuesAreUsageErrorsNamingTheOption() throws Exception {
        String input = sysmonLog().toString();
        String out = dir.resolve("alerts.jsonl").toString();

        assertOneClearError(replay("--input", input, "--output", out, "--progress-interval", "soon"), 2,
                "Invalid value for option '--progress-interval': 'soon' is not a duration",
                "Try 'sysmon-cep replay --help'");
        assertOneClearError(replay("--input", input, "--output", out, "--suppression-window", "0s"), 2,
                "--suppression-window 0ms is out of range: the suppression window must be positive");
        assertOneClearError(replay("--input", input, "--output", out, "--report", "xml"), 2,
                "Invalid value for option '--report'", "text, json");
        assertOneClearError(replay("--input", input, "--output", out, "--dead-letter", out), 2,
                "--output and --dead-letter both name");
        assertOneClearError(replay("--input", input, "--ouptut", out), 2, "Unknown options: '--ouptut'",
                "Possible solutions: --output");
        assertThat(dir.resolve("alerts.jsonl")).doesNotExist();
    }

    @Test
    void aBadRuleFileIsARulesErrorNamingTheFileAndTheProblem() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yml"),
                "rules:\n  - id: x\n    name: n\n    message: m\n    match: {Colour: [red]}\n");

        Cli r = replay("--input", sysmonLog().toString(), "--output", dir.resolve("alerts.jsonl").toString(),
                "--rules", rules.toString());

        assertOneClearError(r, 5, "bad rule file " + rules + ": unknown Sysmon field 'Colour'",
                "leave out --rules to use the bundled rules");
        assertOneClearError(Cli.run("rules", "--rules", dir.resolve("none.yml").toString()), 5,
                "rule file " + dir.resolve("none.yml") + " does not exist");
        assertThat(dir.resolve("alerts.jsonl")).doesNotExist();
    }

    @Test
    void aRuleFileThatIsNoYamlGetsOneLineThatSaysWhereNotTheFileQuoted() throws Exception {
        String secretLookingLine = "{rules: [{id: x, name: \"never echoed\", message: m, match: {EventCode: [22]}";
        Path rules = Files.writeString(dir.resolve("flow.yml"), secretLookingLine + "\n");

        Cli r = Cli.run("rules", "--rules", rules.toString());

        assertOneClearError(r, 5, "bad rule file " + rules + ": ", "(line ", "leave out --rules");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).doesNotContain("never echoed");
    }

    /** Stands in for the stream command's broker check, which lives on another branch. */
    @Command(name = "connect")
    static final class ConnectCommand implements Callable<Integer> {
        @Parameters
        String to;

        @Override
        public Integer call() throws Exception {
            if (to.equals("kafka")) {
                throw UserError.unreachable("Kafka", "localhost:1", "check --bootstrap-servers and that the brokers run",
                        new ConnectException("Connection refused"));
            }
            throw new IllegalStateException("the job failed: " + to);
        }
    }

    private static CommandLine withConnectCommand() {
        return SysmonCep.commandLine().addSubcommand(new ConnectCommand());
    }

    @Test
    void anUnreachableServiceHasItsOwnExitCodeAndAStackTraceOnlyWhenVerbose() {
        Cli quiet = Cli.run(withConnectCommand(), "connect", "kafka");
        assertOneClearError(quiet, 6, "sysmon-cep connect: Kafka at localhost:1 cannot be reached (Connection refused); "
                + "check --bootstrap-servers and that the brokers run");

        Cli verbose = Cli.run(withConnectCommand(), "--verbose", "connect", "kafka");
        assertThat(verbose.exitCode()).isEqualTo(6);
        assertThat(verbose.err()).contains("cannot be reached", "\tat ", "ConnectException");
    }

    @Test
    void anyOtherFailureIsAFailedJobWithExitCodeOne() {
        Cli r = Cli.run(withConnectCommand(), "connect", "nowhere");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("sysmon-cep connect: the job failed: nowhere",
                "Run with --verbose for the stack trace.");
    }

    @Test
    void helpListsTheExitCodes() {
        for (String command : new String[] {"replay", "rules"}) {
            Cli r = Cli.run(command, "--help");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("Exit codes:", "  3   an input is missing", "  6   a service (Kafka, Elasticsearch)",
                    "--config=FILE", "--verbose");
        }
    }
}
