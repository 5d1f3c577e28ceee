package dev.sysmoncep.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.SysmonEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
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
        return harness(emitOnOpen, 0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert> harness(boolean emitOnOpen,
                                                                                          long allowedLateness) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertAggregator(HOUR, emitOnOpen, Set.of(PIPE.id()), allowedLateness)),
                Finding::alertKey, Types.STRING);
        h.open();
        return h;
    }

    private static Finding late(Finding f, long lateness) {
        f.late = true;
        f.latenessMillis = lateness;
        return f;
    }

    /** What a sink that upserts by id and deletes retracted alerts holds at the end. */
    private static Map<String, Alert> latestById(List<Alert> emitted) {
        Map<String, Alert> latest = new TreeMap<>();
        for (Alert a : emitted) {
            if (a.retracted) {
                latest.remove(a.id);
            } else {
                latest.put(a.id, a);
            }
        }
        return latest;
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
    void aLateFindingInAClosedWindowUpdatesItsAlertAtOnceMarkedLate() throws Exception {
        try (var h = harness(true, 2 * HOUR)) {
            h.processElement(pipeFinding(T0), T0);
            h.processElement(pipeFinding(T0 + HOUR + 5 * 60_000), T0 + HOUR + 5 * 60_000);
            h.processWatermark(T0 + HOUR + 10 * 60_000);
            String id = h.extractOutputValues().get(0).id;
            int before = h.extractOutputValues().size();

            h.processElement(late(pipeFinding(T0 + 30 * 60_000), 40 * 60_000), T0 + 30 * 60_000);

            List<Alert> after = h.extractOutputValues().subList(before, h.extractOutputValues().size());
            assertThat(after).hasSize(1);
            Alert updated = after.get(0);
            assertThat(updated.id).isEqualTo(id);
            assertThat(updated.count).isEqualTo(2);
            assertThat(updated.isFinal).isTrue();
            assertThat(updated.late).isTrue();
            assertThat(updated.latenessMillis).isEqualTo(40 * 60_000);
            assertThat(updated.retracted).isFalse();
        }
    }

    @Test
    void aLateFindingBeforeAnAlertsStartRetractsItAndRaisesTheReplaysAlert() throws Exception {
        try (var h = harness(true, 2 * HOUR)) {
            h.processElement(pipeFinding(T0 + 20 * 60_000), T0 + 20 * 60_000);
            h.processElement(pipeFinding(T0 + 70 * 60_000), T0 + 70 * 60_000);
            h.processWatermark(T0 + 75 * 60_000);
            Map<String, Alert> streamed = latestById(h.extractOutputValues());
            assertThat(streamed.values()).extracting(a -> a.windowStart).containsExactlyInAnyOrder(T0 + 20 * 60_000);
            String movedId = streamed.keySet().iterator().next();
            int attributedBefore = h.getSideOutput(AlertAggregator.ATTRIBUTED_FINDINGS).size();

            // The pipe at T0 opens the replay's window [T0, T0+1h): the one at 20 min joins it, and the
            // one at 70 min opens the next window, so the alert opened at 20 min is void.
            h.processElement(late(pipeFinding(T0), 75 * 60_000), T0);
            h.processWatermark(Long.MAX_VALUE);

            List<Alert> all = h.extractOutputValues();
            assertThat(all).filteredOn(a -> a.retracted).extracting(a -> a.id).containsExactly(movedId);
            Map<String, Alert> latest = latestById(all);
            assertThat(latest.values()).extracting(a -> a.windowStart, a -> a.count)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(T0, 2L),
                            org.assertj.core.groups.Tuple.tuple(T0 + 70 * 60_000, 1L));
            assertThat(latest.keySet()).containsExactlyInAnyOrder(
                    AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0),
                    AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0 + 70 * 60_000));
            assertThat(latest.values()).allSatisfy(a -> assertThat(a.isFinal).isTrue());
            // The sequence detector learns the new alert of each pipe the move re-attributed.
            var attributed = h.getSideOutput(AlertAggregator.ATTRIBUTED_FINDINGS).stream().skip(attributedBefore).toList();
            assertThat(attributed).extracting(r -> r.getValue().time, r -> r.getValue().relatedAlertIds.get(0))
                    .contains(org.assertj.core.groups.Tuple.tuple(T0, AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0)),
                            org.assertj.core.groups.Tuple.tuple(T0 + 20 * 60_000, AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0)),
                            org.assertj.core.groups.Tuple.tuple(T0 + 70 * 60_000,
                                    AlertIds.of(PIPE.id(), pipeFinding(T0).groupKey, T0 + 70 * 60_000)));
        }
    }

    @Test
    void findingsArrivingInAnyOrderWithinTheAllowedLatenessEndAsTheReplaysAlerts() throws Exception {
        Random random = new Random(7);
        for (int run = 0; run < 300; run++) {
            List<Long> times = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                times.add(T0 + (long) random.nextInt(4 * 60) * 60_000 + (random.nextBoolean() ? 0 : random.nextInt(1000)));
            }
            Map<String, Alert> replay;
            try (var batch = harness(false)) {
                for (long t : times) {
                    batch.processElement(pipeFinding(t), t);
                }
                batch.processWatermark(Long.MAX_VALUE);
                replay = latestById(batch.extractOutputValues());
            }
            List<Long> arrival = new ArrayList<>(times);
            java.util.Collections.shuffle(arrival, random);
            long tolerance = random.nextInt(3) * 60_000L;
            try (var stream = harness(true, 5 * HOUR)) {
                long maxSeen = Long.MIN_VALUE;
                for (long t : arrival) {
                    stream.processElement(pipeFinding(t), t);
                    maxSeen = Math.max(maxSeen, t);
                    stream.processWatermark(maxSeen - tolerance);
                }
                stream.processWatermark(Long.MAX_VALUE);
                Map<String, Alert> streamed = latestById(stream.extractOutputValues());
                assertThat(streamed.keySet()).as("ids, arrival %s", arrival).isEqualTo(replay.keySet());
                streamed.forEach((id, a) -> {
                    Alert r = replay.get(id);
                    assertThat(List.of(a.count, a.firstTime, a.lastTime, a.windowStart)).as("alert %s, arrival %s", id, arrival)
                            .isEqualTo(List.of(r.count, r.firstTime, r.lastTime, r.windowStart));
                    assertThat(a.isFinal).isTrue();
                });
                assertThat(stream.numKeyedStateEntries()).as("state once the lateness has passed").isZero();
            }
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
