package dev.sysmoncep.cli;

import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.workflow.DetectionSettings;
import java.io.IOException;
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

    @Option(names = "--idleness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Streaming: a source split or partition quiet for this long stops holding the "
                    + "watermark back (default: ${DEFAULT-VALUE}).", defaultValue = "1m")
    Duration idleness;

    @Option(names = "--max-line-bytes", paramLabel = "BYTES",
            description = "Lines longer than this are dead-lettered unread (default: ${DEFAULT-VALUE}).",
            defaultValue = "1048576")
    int maxLineBytes;

    DetectionSettings settings() throws IOException {
        RuleSet rules = rulesFile == null ? RuleSet.bundled() : RuleSet.load(rulesFile);
        DetectionSettings s = new DetectionSettings(rules)
                .outOfOrderness(outOfOrderness)
                .idleness(idleness)
                .maxLineBytes(maxLineBytes);
        if (suppressionWindow != null) {
            s.suppressionWindow(suppressionWindow);
        }
        if (sequenceWindow != null) {
            s.sequenceWindow(sequenceWindow);
        }
        return s;
    }
}
