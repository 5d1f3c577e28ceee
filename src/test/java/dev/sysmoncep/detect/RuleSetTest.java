package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuleSetTest {

    @Test
    void bundledRulesCarrySplunksFacts() {
        RuleSet rules = RuleSet.bundled();
        assertThat(rules.eventRules()).extracting(EventRule::id)
                .containsExactly("2f3a4092-548b-421c-9caa-84918e1787ef", "ed313326-a0f9-11eb-a89c-acde48001122");
        assertThat(rules.definition("2f3a4092-548b-421c-9caa-84918e1787ef").riskScore).isEqualTo(49);
        assertThat(rules.definition("ed313326-a0f9-11eb-a89c-acde48001122").riskScore).isEqualTo(56);
        RuleDefinition sequence = rules.definition("f1a81b48-2139-4631-b968-ff5db9979678");
        assertThat(sequence.riskScore).isGreaterThan(56);
        assertThat(rules.definition("ed313326-a0f9-11eb-a89c-acde48001122").match.get("QueryName")).hasSize(15);
        assertThat(rules.suppressionWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(rules.sequenceWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(rules.sequences().get(0).orders()).hasSize(2);
    }

    @Test
    void aBadRuleFileIsRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("rules:\n  - id: x\n    name: n\n    message: m\n    match: {Colour: [red]}\n"))
                .hasMessageContaining("unknown Sysmon field 'Colour'");
        assertThatThrownBy(() -> parse("rules: []\nsequences:\n  - id: s\n    name: n\n    message: m\n    parts: [a, b]\n"))
                .hasMessageContaining("names unknown rule a");
        assertThatThrownBy(() -> parse("rules: []\nwindows: {suppression: an hour}\n"))
                .hasMessageContaining("not an ISO-8601 duration");
        assertThatThrownBy(() -> parse("rulez: []\n")).hasMessageContaining("test.yml");
    }

    /** A typo in a message's placeholder is found when the rules load, not shown raw in every alert. */
    @Test
    void aMessagePlaceholderThatNamesNoFieldIsRefused() {
        assertThatThrownBy(() -> parse("rules:\n  - id: x\n    name: n\n    message: pipe $PipName$ on $dest$\n"
                + "    match: {EventCode: ['17']}\n")).hasMessageContaining("rule x's message names $PipName$, which is no field");
    }

    private static RuleSet parse(String yaml) throws Exception {
        return RuleSet.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yml");
    }
}
