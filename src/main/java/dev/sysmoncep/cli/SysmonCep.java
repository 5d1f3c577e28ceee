package dev.sysmoncep.cli;

import dev.sysmoncep.generate.GenerateCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The job's entry point, for the {@code job/sysmon-cep} launcher and for a Flink cluster alike
 * ({@code flink run sysmon-cep.jar replay ...} or {@code ... stream ...}, the REST API, the Kubernetes
 * operator). Turns every failure into one line on stderr and an exit code by class (see
 * {@link UserError}); {@code --verbose} adds the stack trace.
 */
@Command(name = "sysmon-cep", mixinStandardHelpOptions = true, versionProvider = SysmonCep.Version.class,
        description = "Finds malware hiding in wermgr.exe in Sysmon logs: Splunk's wermgr named-pipe and "
                + "IP-check-lookup detections and their sequence in one process, on Apache Flink.",
        subcommands = {ReplayCommand.class, StreamCommand.class, RulesCommand.class, GenerateCommand.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%n",
        footer = "The launcher job/sysmon-cep also runs 'bench' (the benchmarks, built from bench/, not part of the job jar).")
public final class SysmonCep {
    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Read option values from this YAML or .properties file; options on the command line win. "
                    + "Keys are long option names without the dashes (sequence-window: 30m), at the top level for "
                    + "every subcommand or under a subcommand's name (replay: {output: alerts.jsonl}).")
    Path config;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, print the stack trace as well as the message.")
    boolean verbose;

    /**
     * Set by the launcher, which runs the job as a program of its own and passes its exit code on.
     * Everywhere else main runs inside Flink's client or JobManager, where System.exit would stop
     * that process: there a failure is thrown for Flink to report.
     */
    static final String STANDALONE_PROPERTY = "sysmoncep.standalone";

    public static void main(String[] args) throws Exception {
        CommandLine cli = commandLine();
        if (Boolean.getBoolean(STANDALONE_PROPERTY)) {
            System.exit(cli.execute(args));
        }
        Exception[] failure = new Exception[1];
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            failure[0] = e;
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        int exitCode = cli.execute(args);
        if (failure[0] != null) {
            throw failure[0];
        }
        if (exitCode != 0) {
            throw new IllegalArgumentException("sysmon-cep refused its arguments (exit code " + exitCode
                    + "); the reason is printed before this");
        }
    }

    /** The command line with its error handling, config file and exit-code help in place. */
    public static CommandLine commandLine() {
        SysmonCep root = new SysmonCep();
        CommandLine cl = new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true);
        ConfigDefaults config = new ConfigDefaults(cl.getCommandSpec(), () -> root.config);
        cl.setDefaultValueProvider(config);
        cl.setParameterExceptionHandler((e, args) -> usageError(e, config));
        cl.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, command, root.verbose));
        documentExitCodes(cl);
        return cl;
    }

    /** Every subcommand's --help ends with the exit codes, subcommands added later included. */
    private static void documentExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(UserError.exitCodeHelp());
        cl.getSubcommands().values().forEach(SysmonCep::documentExitCodes);
    }

    /** A bad command line: the message, where to look, exit 2; a bad value from the config file: exit 5. */
    private static int usageError(ParameterException e, ConfigDefaults config) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String prefix = command.getCommandSpec().qualifiedName() + ": ";
        UserError cause = find(e, UserError.class);
        if (cause != null) {
            err.println(prefix + cause.getMessage());
            return cause.exitCode();
        }
        String configKey = e.getArgSpec() == null ? null : config.keyOf(e.getArgSpec());
        if (configKey != null) {
            err.println(prefix + "config " + config.file() + ": key '" + configKey + "': " + e.getMessage());
            return UserError.Kind.CONFIG.exitCode;
        }
        // A mistyped option also leaves a required one missing; the typo is what to point out first.
        if (!(e instanceof UnmatchedArgumentException) && !command.getUnmatchedArguments().isEmpty()) {
            UnmatchedArgumentException typo = new UnmatchedArgumentException(command, command.getUnmatchedArguments());
            err.println(prefix + typo.getMessage());
            UnmatchedArgumentException.printSuggestions(typo, err);
        }
        err.println(prefix + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options.");
        return UserError.Kind.USAGE.exitCode;
    }

    /** A failure while running: a user's problem by its class, anything else as a failed job. */
    private static int failure(Exception e, CommandLine command, boolean verbose) {
        PrintWriter err = command.getErr();
        String prefix = command.getCommandSpec().qualifiedName() + ": ";
        UserError userError = find(e, UserError.class);
        if (userError != null) {
            err.println(prefix + userError.getMessage());
        } else {
            err.println(prefix + describe(e));
            if (!verbose) {
                err.println("Run with --verbose for the stack trace.");
            }
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return userError != null ? userError.exitCode() : UserError.JOB_FAILED;
    }

    /** The first exception of that type in the cause chain, or null. */
    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The message of a failure, with its root cause when that says more. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootText = root.getMessage() == null ? root.getClass().getSimpleName()
                : root == e ? root.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage();
        if (root == e || e.getMessage() == null) {
            return rootText;
        }
        if (root.getMessage() != null && e.getMessage().contains(root.getMessage())) {
            return e.getMessage();
        }
        return e.getMessage() + " (" + rootText + ")";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SysmonCep.class.getPackage().getImplementationVersion();
            return new String[] {"sysmon-cep " + (v == null ? "(development build)" : v)};
        }
    }
}
