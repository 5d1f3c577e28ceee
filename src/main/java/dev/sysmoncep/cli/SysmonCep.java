package dev.sysmoncep.cli;

import dev.sysmoncep.generate.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The job's entry point, for the {@code job/sysmon-cep} launcher and for a Flink cluster alike
 * ({@code flink run sysmon-cep.jar replay ...} or {@code ... stream ...}, the REST API, the Kubernetes
 * operator).
 */
@Command(name = "sysmon-cep", mixinStandardHelpOptions = true, versionProvider = SysmonCep.Version.class,
        description = "Finds malware hiding in wermgr.exe in Sysmon logs: Splunk's wermgr named-pipe and "
                + "IP-check-lookup detections and their sequence in one process, on Apache Flink.",
        subcommands = {ReplayCommand.class, StreamCommand.class, GenerateCommand.class, CommandLine.HelpCommand.class})
public final class SysmonCep {
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

    public static CommandLine commandLine() {
        return new CommandLine(new SysmonCep()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SysmonCep.class.getPackage().getImplementationVersion();
            return new String[] {"sysmon-cep " + (v == null ? "(development build)" : v)};
        }
    }
}
