package dev.sysmoncep.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.SysmonEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Suppression windows, counts, ids and when alerts leave, on the operator alone. */
class AlertAggregatorTest {
    private static final EventRule PIPE = RuleSet.bundled().eventRule("2f3a4092-548b-421c-9caa-84918e1787ef");
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T0 = Instant.parse("2024-03-12T09:14:00Z").toEpochMilli();

    private static Finding pipeFinding(long time) {
        SysmonEvent e = new SysmonEvent();
        e.host = "WS-FIN-07";
        e.eventId = 18;
        e.eventTime = time;
        e.processGuid = "{0B4C5D6E-1111-2222-3333-444455556666}";
        e.processId = "4242";
        e.image = "C:\\Windows\\SysWOW64\\wermgr.exe";
        e.eventType = "ConnectPipe";
        e.pipeName = "\\pipe\\qbot";
        e.user = "NT AUTHORITY\\SYSTEM";
        return Finding.ofEvent(PIPE, e);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert> harness(boolean emitOnOpen) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertAggregator(HOUR, emitOnOpen, Set.of(PIPE.id()))),
                Finding::alertKey, Types.STRING);
        h.open();
        return h;
    }

    @Test
    void outOfOrderFindingsOfOneWindowBecomeOneFinalAlert() throws Exception {
        try (var h = harness(false)) {
            h.processElement(pipeFinding(T0 + 20 * 60_000), T0 + 20 * 60_000);
            h.processElement(pipeFinding(T0), T0);
            h.processElement(pipeFinding(T0 + 59 * 60_000), T0 + 59 * 60_000);
            h.processWatermark(T0 + 30 * 60_000);
            assertThat(h.extractOutputValues()).as("batch mode: nothing before the window closes").isEmpty();
            h.processWatermark(Long.MAX_VALUE);

            List<Alert> alerts = h.extractOutputValues();
            assertThat(alerts).hasSize(1);
            Alert a = alerts.get(0);
            assertThat(a.count).isEqualTo(3);
            assertThat(a.firstTime).isEqualTo(T0);
            assertThat(a.lastTime).isEqualTo(T0 + 59 * 60_000);
            assertThat(a.windowStart).isEqualTo(T0);
            assertThat(a.isFinal).isTrue();
            assertThat(a.id).isEqualTo(AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0));
            assertThat(h.getSideOutput(AlertAggregator.ATTRIBUTED_FINDINGS)).hasSize(3)
                    .allSatisfy(r -> assertThat(r.getValue().relatedAlertIds).containsExactly(a.id));
        }
    }

    @Test
    void aFindingAfterTheWindowOpensTheNextAlert() throws Exception {
        try (var h = harness(false)) {
            h.processElement(pipeFinding(T0), T0);
            h.processElement(pipeFinding(T0 + HOUR - 1), T0 + HOUR - 1);
            h.processElement(pipeFinding(T0 + HOUR), T0 + HOUR);
            h.processWatermark(Long.MAX_VALUE);

            List<Alert> alerts = h.extractOutputValues();
            assertThat(alerts).extracting(a -> a.count).containsExactly(2L, 1L);
            assertThat(alerts).extracting(a -> a.windowStart).containsExactly(T0, T0 + HOUR);
            assertThat(alerts.get(0).id).isNotEqualTo(alerts.get(1).id);
        }
    }

    @Test
    void streamingEmitsWhenTheAlertOpensAndAgainFinalWithTheSameIdIfItChanged() throws Exception {
        try (var h = harness(true)) {
            h.processElement(pipeFinding(T0), T0);
            h.processWatermark(T0);
            List<Alert> opened = h.extractOutputValues();
            assertThat(opened).hasSize(1);
            assertThat(opened.get(0).count).isEqualTo(1);
            assertThat(opened.get(0).isFinal).isFalse();

            h.processElement(pipeFinding(T0 + 60_000), T0 + 60_000);
            h.processWatermark(T0 + HOUR);
            List<Alert> all = h.extractOutputValues();
            assertThat(all).hasSize(2);
            assertThat(all.get(1).id).isEqualTo(all.get(0).id);
            assertThat(all.get(1).count).isEqualTo(2);
            assertThat(all.get(1).isFinal).isTrue();
        }
    }

    @Test
    void stateIsClearedWhenTheWindowCloses() throws Exception {
        try (var h = harness(true)) {
            h.processElement(pipeFinding(T0), T0);
            h.processWatermark(T0 + HOUR);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
