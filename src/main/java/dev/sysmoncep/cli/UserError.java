package dev.sysmoncep.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem the user can fix: what is wrong, with the thing named, and what to do about it. The
 * command line prints the message alone (no stack trace unless {@code --verbose}) and exits with
 * the code of its kind, so scripts can tell a typo from an unreachable broker. Any subcommand may
 * throw it, also from inside a Flink job: the launcher finds it in the job's failure cause.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of a job that failed for any other reason. */
    public static final int JOB_FAILED = 1;

    /** The classes of problem, each with its own exit code. */
    public enum Kind {
        USAGE(2, "bad command line: unknown option, missing or bad option value"),
        INPUT(3, "an input is missing, unreadable, empty or corrupt"),
        OUTPUT(4, "an output cannot be written (directory missing or not writable)"),
        CONFIG(5, "bad rule file or --config file"),
        UNREACHABLE(6, "a service (Kafka, Elasticsearch) cannot be reached or refuses the login");

        public final int exitCode;
        public final String meaning;

        Kind(int exitCode, String meaning) {
            this.exitCode = exitCode;
            this.meaning = meaning;
        }
    }

    private final Kind kind;

    /**
     * @param problem what is wrong, naming the file, option or address
     * @param fix what the user can do about it
     */
    public UserError(Kind kind, String problem, String fix) {
        super(fix == null || fix.isEmpty() ? problem : problem + "; " + fix);
        this.kind = kind;
    }

    public UserError(Kind kind, String problem, String fix, Throwable cause) {
        this(kind, problem, fix);
        initCause(cause);
    }

    public static UserError usage(String problem, String fix) {
        return new UserError(Kind.USAGE, problem, fix);
    }

    public static UserError input(String problem, String fix) {
        return new UserError(Kind.INPUT, problem, fix);
    }

    public static UserError output(String problem, String fix) {
        return new UserError(Kind.OUTPUT, problem, fix);
    }

    public static UserError config(String problem, String fix) {
        return new UserError(Kind.CONFIG, problem, fix);
    }

    /**
     * A service that does not answer, e.g.
     * {@code unreachable("Kafka", "broker1:9092", "check --bootstrap-servers and that the brokers run", e)}.
     */
    public static UserError unreachable(String service, String address, String fix, Throwable cause) {
        String detail = cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
        return new UserError(Kind.UNREACHABLE, service + " at " + address + " cannot be reached" + detail, fix, cause);
    }

    public Kind kind() {
        return kind;
    }

    public int exitCode() {
        return kind.exitCode;
    }

    /** The exit codes and what each means, for the {@code --help} footer and the README. */
    public static Map<String, String> exitCodeHelp() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success");
        codes.put(Integer.toString(JOB_FAILED), "the Flink job failed (message on stderr; --verbose for the stack trace)");
        for (Kind k : Kind.values()) {
            codes.put(Integer.toString(k.exitCode), k.meaning);
        }
        return codes;
    }
}
