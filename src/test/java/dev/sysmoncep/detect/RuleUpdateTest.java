package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a running job takes from its rules topic, and what it refuses with which reason. */
class RuleUpdateTest {
    private static final RuleSet JOB = RuleSet.bundled();
    private static final String LAST_SERVICE = "        - '*spam.dnsbl.sorbs.net'\n";

    @Test
    void aNewListEntryRiskAndMessageApplyLive() {
        String v1 = version(1, bundled().replace(LAST_SERVICE, LAST_SERVICE + "        - '*ifconfig.me'\n")
                .replace("    risk_score: 56\n", "    risk_score: 72\n")
                .replace("Wermgr.exe process connecting IP location web services on $dest$", "wermgr.exe asked $QueryName$"));
        RuleUpdate update = decide(JOB, v1);
        assertThat(update.refusal()).isNull();
        assertThat(update.accepted().fileVersion().version).isEqualTo(1);
        assertThat(update.accepted().eventRule(Scenarios.IP_CHECK_RULE)
                .matches(Scenarios.dns("H", "{G}", "1", Scenarios.T0, "api.ifconfig.me"))).isTrue();
        assertThat(update.accepted().definition(Scenarios.IP_CHECK_RULE).riskScore).isEqualTo(72);
    }

    @Test
    void theVersionInForceAgainChangesNothingAndSaysNothing() {
        RuleUpdate update = RuleUpdate.decide(JOB, JOB, bundled().getBytes(StandardCharsets.UTF_8), "rules/0@3");
        assertThat(update.accepted()).isNull();
        assertThat(update.refusal()).isNull();
    }

    @Test
    void aVersionNotNewerThanTheOneInForceIsRefused() {
        RuleSet inForce = decide(JOB, version(3, bundled() + "\n")).accepted();
        assertThat(decide(JOB, inForce, version(2, bundled())).refusal())
                .isEqualTo("version 2 is not newer than version 3 in force; raise the file's top-level version");
        assertThat(decide(JOB, inForce, version(3, bundled() + "# another comment\n")).refusal())
                .startsWith("version 3 is not newer");
    }

    @Test
    void whatTheOperatorsWereMadeFromIsRefusedWithEachReason() {
        String moreRules = bundled().replace("rules:\n", "rules:\n  - id: new-rule\n    name: New\n    message: m\n"
                + "    match: {EventCode: [\"7\"]}\n    group_by: [host]\n");
        assertThat(decide(JOB, version(1, moreRules)).refusal()).contains("adds rule new-rule (New)")
                .endsWith("Restart the job from a savepoint with the new file to apply it");
        String regrouped = bundled().replace("    group_by: [host, ProcessGuid, ProcessId, Image, EventType, PipeName, User]",
                "    group_by: [host, ProcessGuid]");
        assertThat(decide(JOB, version(1, regrouped)).refusal()).contains("changes the group_by of rule " + Scenarios.PIPE_RULE);
        assertThat(decide(JOB, version(1, bundled().replace("sequence: PT1H", "sequence: PT2H"))).refusal())
                .contains("changes the windows");
        String withoutSequences = bundled().substring(0, bundled().indexOf("\nsequences:")) + "\n";
        assertThat(decide(JOB, version(1, withoutSequences)).refusal()).contains("changes the sequences");
    }

    @Test
    void removingARuleNoSequenceChainsAppliesLiveAndRemovingAPartIsNoRuleFile() {
        String extra = "  - id: extra-rule\n    name: Extra\n    message: m\n    match: {EventCode: [\"7\"]}\n    group_by: [host]\n";
        RuleSet job = RuleSet.parse(bundled().replace("rules:\n", "rules:\n" + extra).getBytes(StandardCharsets.UTF_8), "job");
        RuleUpdate withoutExtra = decide(job, version(1, bundled()));
        assertThat(withoutExtra.refusal()).isNull();
        assertThat(withoutExtra.accepted().eventRule("extra-rule")).isNull();
        String withoutPipeRule = bundled().replace("  - id: " + Scenarios.PIPE_RULE, "  - id: not-the-pipe-rule");
        assertThat(decide(JOB, version(1, withoutPipeRule)).refusal())
                .contains("names unknown rule " + Scenarios.PIPE_RULE);
    }

    @Test
    void recordsThatAreNoRuleFileAreRefusedWithTheParsersReason() {
        assertThat(RuleUpdate.decide(JOB, JOB, null, "rules/0@1").refusal()).contains("tombstone");
        assertThat(RuleUpdate.decide(JOB, JOB, new byte[] {'v', ':', (byte) 0xC3}, "rules/0@2").refusal())
                .isEqualTo("the rule file is not UTF-8 text");
        assertThat(decide(JOB, "rules: [\n  - id: broken\n").refusal()).startsWith("not a valid rule file: rules/0@9: ");
        assertThat(decide(JOB, "version: -1\n" + bundled()).refusal()).contains("the file's version must be 0 or more");
        assertThat(decide(JOB, "").refusal()).contains("the rule file is empty");
    }

    @Test
    void emptyValuesFractionalVersionsAndFilesWithoutRulesAreRefusedNeverThrown() {
        for (String file : List.of("version: 1\nrules:\n", "version: 1\nrules: [null]\n", "version: 1\nwindows:\n",
                "version: 1\n- a list\n", "version: 1\nrules:\n  - id: x\n    name: n\n    message: m\n    match: {EventCode: [\"7\"]}\n    group_by:\n")) {
            assertThat(decide(JOB, file).refusal()).as(file).startsWith("not a valid rule file");
        }
        assertThat(decide(JOB, "version: 1.5\n" + bundled()).refusal()).startsWith("not a valid rule file");
        assertThat(decide(JOB, "version: 1\nrules: []\n").refusal()).isEqualTo("the file holds no rules: it would end all detection");
    }

    /** As a job made from {@code job} with the same file in force decides. */
    private static RuleUpdate decide(RuleSet job, String file) {
        return decide(job, job, file);
    }

    private static RuleUpdate decide(RuleSet job, RuleSet inForce, String file) {
        return RuleUpdate.decide(job, inForce, file.getBytes(StandardCharsets.UTF_8), "rules/0@9");
    }

    private static String version(int n, String file) {
        return "version: " + n + "\n" + file;
    }

    private static String bundled() {
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(RuleSet.BUNDLED)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
