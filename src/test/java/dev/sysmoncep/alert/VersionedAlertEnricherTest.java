package dev.sysmoncep.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.Scenarios;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.RuleFileVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Each alert reads the facts of the rule file version it was raised under, also when that version comes after it. */
class VersionedAlertEnricherTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAlertWaitsForItsVersionAcrossACheckpointAndReadsThatVersionsRisk() throws Exception {
        RuleSet bundled = RuleSet.bundled();
        RuleFileVersion v1 = RuleSet.parse(("version: 1\n" + bundled.fileVersion().text.replace("    risk_score: 56\n",
                "    risk_score: 72\n")).getBytes(StandardCharsets.UTF_8), "rules/0@0").fileVersion();
        Alert underV0 = alert(0);
        Alert underV1 = alert(1);

        OperatorSubtaskState snapshot;
        try (var h = harness(bundled)) {
            h.open();
            h.processElement1(new StreamRecord<>(underV0, 1));
            h.processElement1(new StreamRecord<>(underV1, 2));
            assertThat(risks(h.extractOutputValues())).as("version 1 has not come yet").containsExactly(56);
            snapshot = h.snapshot(1, 3);
        }
        try (var h = harness(bundled)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement2(new StreamRecord<>(v1, 4));
            h.processElement2(new StreamRecord<>(v1, 5));
            assertThat(risks(h.extractOutputValues())).as("once, when its version came").containsExactly(72);
            assertThat(JSON.readTree(h.extractOutputValues().get(0).json).at("/sysmon_cep/rules/version").asInt()).isEqualTo(1);
        }
    }

    private static List<Integer> risks(List<AlertDocument> documents) {
        return documents.stream().map(d -> {
            try {
                return JSON.readTree(d.json).at("/event/risk_score").asInt();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static TwoInputStreamOperatorTestHarness<Alert, RuleFileVersion, AlertDocument> harness(RuleSet rules)
            throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(
                new VersionedAlertEnricher(rules), List.of(VersionedAlertEnricher.RULE_FILE_VERSIONS)));
    }

    private static Alert alert(int rulesVersion) {
        Alert alert = new Alert();
        alert.ruleId = Scenarios.IP_CHECK_RULE;
        alert.event = Scenarios.dns("H", "{G-" + rulesVersion + "}", "1", Scenarios.T0, "api.ipify.org");
        alert.event.rulesVersion = rulesVersion;
        alert.id = AlertIds.of(alert.ruleId, "H|" + rulesVersion, Scenarios.T0.toEpochMilli());
        alert.windowStart = Scenarios.T0.toEpochMilli();
        alert.firstTime = alert.windowStart;
        alert.lastTime = alert.windowStart;
        alert.count = 1;
        alert.queryNames.add(alert.event.queryName);
        return alert;
    }
}
