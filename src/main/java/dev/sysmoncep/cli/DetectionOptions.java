package dev.sysmoncep.cli;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.workflow.DetectionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The detection options every job command shares: rules, windows, tolerance, line limit. */
public final class DetectionOptions {
    @Option(names = "--rules", paramLabel = "FILE",
            description = "Rule file (YAML) to use instead of the bundled rules/wermgr-rules.yml.")
    Path rulesFile;

    @Option(names = "--suppression-window", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Events of one group within this time after an alert's first event join that alert "
                    + "(default: the rule file's, 1h).")
    Duration suppressionWindow;

    @Option(names = "--sequence-window", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Both parts of a sequence must happen within this time of each other "
                    + "(default: the rule file's, 1h).")
    Duration sequenceWindow;

    @Option(names = "--out-of-orderness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Streaming: how late an event may arrive behind newer ones before it counts as late "
                    + "(default: ${DEFAULT-VALUE}). A batch replay sorts everything and has no late events.",
            defaultValue = "30s")
    Duration outOfOrderness;

    @Option(names = "--allowed-lateness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Streaming: an event up to this far behind the tolerance still opens, joins or completes "
                    + "its alert, which then leaves at once marked late; later ones go to the late output "
                    + "(default: ${DEFAULT-VALUE}; 0 turns it off).",
            defaultValue = "1h")
    Duration allowedLateness;

    @Option(names = "--idleness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Streaming: a partition read to its end and without events for this long stops holding "
                    + "the watermark back; one whose records wait unread never does (default: ${DEFAULT-VALUE}).",
            defaultValue = "1m")
    Duration idleness;

    @Option(names = "--max-line-bytes", paramLabel = "BYTES",
            description = "Lines longer than this are dead-lettered unread (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + SysmonLineParser.DEFAULT_MAX_LINE_BYTES)
    int maxLineBytes;

    /**
     * The rules and windows in force.
     *
     * @throws UserError for a rule file that is missing or invalid, or an option value out of range
     */
    DetectionSettings settings() {
        return settings(rules());
    }

    /** The --rules file, else the bundled rules. */
    RuleSet rules() {
        return rulesFile == null ? RuleSet.bundled() : loadRules(rulesFile);
    }

    /** With these rules (a stream's, from its rules topic) instead of --rules. */
    DetectionSettings settings(RuleSet rules) {
        DetectionSettings s = new DetectionSettings(rules);
        set("--out-of-orderness", outOfOrderness, () -> s.outOfOrderness(outOfOrderness));
        set("--idleness", idleness, () -> s.idleness(idleness));
        set("--allowed-lateness", allowedLateness, () -> s.allowedLateness(allowedLateness));
        set("--max-line-bytes", maxLineBytes, () -> s.maxLineBytes(maxLineBytes));
        if (suppressionWindow != null) {
            set("--suppression-window", suppressionWindow, () -> s.suppressionWindow(suppressionWindow));
        }
        if (sequenceWindow != null) {
            set("--sequence-window", sequenceWindow, () -> s.sequenceWindow(sequenceWindow));
        }
        return s;
    }

    /** Applies one option's value; a value out of range is a usage error naming the option. */
    private static void set(String option, Object value, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException outOfRange) {
            throw UserError.usage(option + " " + (value instanceof Duration d ? Human.window(d) : value)
                    + " is out of range: " + outOfRange.getMessage(), "see --help for the option's values");
        }
    }

    /** Where the rules come from, for listings. */
    String rulesSource() {
        return rulesFile == null ? "bundled " + RuleSet.BUNDLED : rulesFile.toString();
    }

    private static RuleSet loadRules(Path file) {
        String fix = "fix the file, or leave out --rules to use the bundled rules";
        if (!Files.isRegularFile(file)) {
            throw UserError.config("rule file " + file + (Files.exists(file) ? " is not a file" : " does not exist"),
                    "check the path given to --rules");
        }
        try {
            return RuleSet.load(file);
        } catch (IllegalArgumentException invalid) {
            // Most messages start with the file name already; those of a rule's fields do not.
            String problem = invalid.getMessage().startsWith(file.toString()) ? invalid.getMessage()
                    : file + ": " + invalid.getMessage();
            throw UserError.config("bad rule file " + problem, fix);
        } catch (IOException unreadable) {
            throw UserError.config("cannot read rule file " + file + ": " + unreadable.getMessage(), fix);
        }
    }
}
