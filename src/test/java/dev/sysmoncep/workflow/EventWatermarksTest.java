package dev.sysmoncep.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/**
 * The source's watermarks: from events only, and emitted only after new events, so that a partition
 * the Kafka source marked idle stays idle until its next event (emitting makes a split active again).
 */
class EventWatermarksTest {
    private final WatermarkGenerator<SysmonRecord> generator = DetectionWorkflow
            .watermarks(DetectionSettings.defaults().outOfOrderness(Duration.ofSeconds(2))).createWatermarkGenerator(null);
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            throw new AssertionError("idleness is the source's");
        }

        @Override
        public void markActive() {
            throw new AssertionError("idleness is the source's");
        }
    };

    @Test
    void aWatermarkLeavesOnlyAfterNewEventsAndOnlyEventsMoveIt() {
        generator.onPeriodicEmit(output);
        assertThat(emitted).as("nothing before the first event").isEmpty();

        generator.onEvent(event(10_000), 10_000, output);
        generator.onEvent(event(9_000), 9_000, output);
        generator.onPeriodicEmit(output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(10_000L - 2_000 - 1);

        generator.onEvent(SysmonRecord.notSysmon(SourceFormat.FLAT_JSON), 50_000, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).as("another channel's record neither moves nor re-emits it").hasSize(1);

        generator.onEvent(event(9_500), 9_500, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).as("an older event re-emits the same watermark: the split is active again")
                .containsExactly(7_999L, 7_999L);
    }

    private static SysmonRecord event(long time) {
        SysmonEvent e = new SysmonEvent();
        e.eventTime = time;
        return SysmonRecord.event(e);
    }
}
