package dev.sysmoncep.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.WermgrAttacks.Emitted;
import dev.sysmoncep.records.SysmonEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alerts the generator expects are the job's, also where a sequence's first pipe timed out. */
class ExpectedAlertsTest {
    private static final String HOST = "WS-FIN-07.corp.example.com";
    private static final String GUID = "{3CFDEE80-2F7D-605B-F50A-00000000AE09}";

    private static long sequenceAlerts(SysmonEvent... events) {
        List<Emitted> emitted = java.util.Arrays.stream(events).map(e -> new Emitted(e, true)).toList();
        return ExpectedAlerts.of(emitted, RuleSet.bundled()).stream()
                .filter(a -> a.ruleId().equals(Scenarios.SEQUENCE_RULE)).count();
    }

    @Test
    void aLookupWithinTheWindowOfTheSecondPipeCompletesTheSequenceThoughTheFirstPipeTimedOut() {
        assertThat(sequenceAlerts(
                Scenarios.pipe(HOST, GUID, "7", Scenarios.T0, 17, "\\pipe\\a"),
                Scenarios.pipe(HOST, GUID, "7", Scenarios.T0.plus(Duration.ofMinutes(30)), 18, "\\pipe\\a"),
                Scenarios.dns(HOST, GUID, "7", Scenarios.T0.plus(Duration.ofMinutes(61)), "api.ipify.org"))).isEqualTo(1);
    }

    @Test
    void aLookupExactlyOneWindowAfterThePipeCompletesNoSequence() {
        assertThat(sequenceAlerts(
                Scenarios.pipe(HOST, GUID, "7", Scenarios.T0, 17, "\\pipe\\a"),
                Scenarios.dns(HOST, GUID, "7", Scenarios.T0.plus(Duration.ofHours(1)), "api.ipify.org"))).isZero();
    }
}
