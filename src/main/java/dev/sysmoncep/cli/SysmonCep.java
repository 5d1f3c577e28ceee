package dev.sysmoncep.cli;

import dev.sysmoncep.generate.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The job's entry point, for the {@code job/sysmon-cep} launcher and for a Flink cluster alike
 * ({@code flink run sysmon-cep.jar replay ...} or {@code ... stream ...}).
 */
@Command(name = "sysmon-cep", mixinStandardHelpOptions = true, versionProvider = SysmonCep.Version.class,
        description = "Finds malware hiding in wermgr.exe in Sysmon logs: Splunk's wermgr named-pipe and "
                + "IP-check-lookup detections and their sequence in one process, on Apache Flink.",
        subcommands = {ReplayCommand.class, StreamCommand.class, GenerateCommand.class, CommandLine.HelpCommand.class})
public final class SysmonCep {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
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
