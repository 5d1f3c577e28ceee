package dev.sysmoncep.detect;

import dev.sysmoncep.records.RuleFileVersion;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a new version of the rule file can take over from the one in force while the job runs.
 * What the router and the enricher read may change: list entries, wildcard patterns, MITRE tags,
 * risk, messages, names and descriptions; an event rule may go (it stops matching; its open alerts
 * close as before) and come back. What the job's operators were made from may not: a new rule id
 * (it would need its own CEP operator), a sequence's parts, a rule's {@code group_by} (open alerts
 * would split) or the windows (CEP's {@code within} is fixed when the job starts). Those need a
 * restart from a savepoint with the new file. A rule a sequence chains cannot go while the sequence
 * stays: such a file is no valid rule file.
 *
 * @param accepted the version to put in force, or null
 * @param refusal why the record cannot be taken, or null; both null when the record is the version already in force
 */
public record RuleUpdate(RuleSet accepted, String refusal) {

    /** Decides on the bytes of a rules topic record, given the job's rules (what its operators were made from) and those in force. */
    public static RuleUpdate decide(RuleSet job, RuleSet inForce, byte[] value, String origin) {
        if (value == null) {
            return refused("the record has no value (a tombstone); the rules in force stay");
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            return refused("the rule file is not UTF-8 text");
        }
        RuleSet candidate;
        try {
            candidate = RuleSet.parse(value, origin);
        } catch (RuntimeException e) {
            // Whatever the file holds, a running job refuses it and goes on.
            return refused("not a valid rule file: " + (e instanceof IllegalArgumentException ? e.getMessage()
                    : origin + ": " + e));
        }
        if (candidate.eventRules().isEmpty()) {
            return refused("the file holds no rules: it would end all detection");
        }
        RuleFileVersion now = inForce.fileVersion();
        RuleFileVersion next = candidate.fileVersion();
        if (next.sha256.equals(now.sha256)) {
            return new RuleUpdate(null, null);
        }
        if (next.version <= now.version) {
            return refused("version " + next.version + " is not newer than version " + now.version
                    + " in force; raise the file's top-level version");
        }
        List<String> fixed = unchangeable(job, candidate);
        if (!fixed.isEmpty()) {
            return refused("version " + next.version + " changes what the running job's operators were made from: "
                    + String.join("; ", fixed) + ". Restart the job from a savepoint with the new file to apply it");
        }
        return new RuleUpdate(candidate, null);
    }

    private static RuleUpdate refused(String reason) {
        return new RuleUpdate(null, reason);
    }

    /** The differences from the job's rules that cannot be applied live, each in a few words. */
    static List<String> unchangeable(RuleSet job, RuleSet candidate) {
        List<String> problems = new ArrayList<>();
        for (EventRule rule : candidate.eventRules()) {
            EventRule before = job.eventRule(rule.id());
            if (before == null) {
                problems.add("adds rule " + rule.id() + " (" + rule.definition().name + ")");
            } else if (!rule.definition().groupBy.equals(before.definition().groupBy)) {
                problems.add("changes the group_by of rule " + rule.id());
            }
        }
        if (!job.sequenceIds().equals(candidate.sequenceIds())) {
            problems.add("changes the sequences (" + String.join(", ", job.sequenceIds()) + " to "
                    + String.join(", ", candidate.sequenceIds()) + ")");
        } else {
            for (SequenceRule s : job.sequences()) {
                if (!Objects.equals(s.parts(), sequence(candidate, s.id()).parts())) {
                    problems.add("changes the parts of sequence " + s.id());
                }
            }
        }
        if (!job.suppressionWindow().equals(candidate.suppressionWindow())
                || !job.sequenceWindow().equals(candidate.sequenceWindow())) {
            problems.add("changes the windows");
        }
        return problems;
    }

    private static SequenceRule sequence(RuleSet rules, String id) {
        return rules.sequences().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
