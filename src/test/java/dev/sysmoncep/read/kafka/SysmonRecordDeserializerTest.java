package dev.sysmoncep.read.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.Scenarios;
import dev.sysmoncep.detect.CandidateFilter;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.recognise.SysmonLineParser;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SysmonRecordDeserializerTest {
    private final SysmonRecordDeserializer deserializer = new SysmonRecordDeserializer(4096,
            CandidateFilter.of(RuleSet.bundled()));

    @BeforeEach
    void open() {
        deserializer.open(null);
    }

    private SysmonRecord read(byte[] value) {
        List<SysmonRecord> out = new ArrayList<>();
        deserializer.deserialize(new ConsumerRecord<>("sysmon", 3, 1234L, null, value), new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(SysmonRecord record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void aRecordValueIsOneSysmonLineInAnyFormatAndKnowsItsTopicPartitionAndOffset() {
        Instant t = Instant.parse("2024-03-12T09:14:05.125Z");
        for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
            String line = SysmonLineWriter.render(Scenarios.dns("WS-1", "{A}", "42", t, "api.ipify.org"), Map.of(), format);
            SysmonRecord r = read(line.getBytes(StandardCharsets.UTF_8));
            assertThat(r.kind).as(format.name()).isEqualTo(SysmonRecord.Kind.EVENT);
            assertThat(r.event.eventTime).isEqualTo(t.toEpochMilli());
            assertThat(r.event.queryName).isEqualTo("api.ipify.org");
            assertThat(r.event.origin).isEqualTo(Origin.kafka("sysmon", 3, 1234L));
        }
    }

    @Test
    void aTombstoneAnOversizedValueAndGarbageBecomeDeadLettersWithTheirOrigin() {
        SysmonRecord tombstone = read(null);
        assertThat(tombstone.kind).isEqualTo(SysmonRecord.Kind.DEAD_LETTER);
        assertThat(tombstone.deadLetter.reason).contains("no value");
        assertThat(tombstone.deadLetter.raw).isEmpty();
        assertThat(tombstone.deadLetter.origin.toString()).isEqualTo("sysmon/3@1234");

        byte[] big = ("{\"EventID\": 22, \"QueryName\": \"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
        SysmonRecord oversized = read(big);
        assertThat(oversized.kind).isEqualTo(SysmonRecord.Kind.DEAD_LETTER);
        assertThat(oversized.deadLetter.reason).contains("over the limit of 4096 bytes");
        assertThat(oversized.deadLetter.length).isEqualTo(big.length);

        byte[] garbage = {0, 1, 2, (byte) 0xff};
        SysmonRecord bad = read(garbage);
        assertThat(bad.kind).isEqualTo(SysmonRecord.Kind.DEAD_LETTER);
        assertThat(bad.deadLetter.raw).isEqualTo(garbage);
        assertThat(bad.deadLetter.origin).isEqualTo(Origin.kafka("sysmon", 3, 1234L));
    }

    @Test
    void aRecordNoRuleCanMatchIsCheckedForItsFormatAndEventTimeOnly() {
        Instant t = Instant.parse("2024-03-12T09:14:05.125Z");
        for (SourceFormat format : List.of(SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON)) {
            SysmonEvent svchost = Scenarios.dns("WS-1", "{A}", "42", t, "www.example.com");
            svchost.image = "C:\\Windows\\System32\\svchost.exe";
            String line = SysmonLineWriter.render(svchost, Map.of(), format);
            SysmonRecord r = read(line.getBytes(StandardCharsets.UTF_8));
            assertThat(r.kind).as(format.name()).isEqualTo(SysmonRecord.Kind.CHECKED_EVENT);
            assertThat(r.format).isEqualTo(format);
            assertThat(r.eventTime()).isEqualTo(t.toEpochMilli());
        }
    }

    @Test
    void aBrokenRecordNoRuleCanMatchIsDeadLetteredWithTheFullParsersReason() {
        String truncated = "{\"EventID\": 22, \"Image\": \"C:\\\\Windows\\\\svchost.exe\", \"UtcTime\": \"2024-03-12 09:14:05.125\"";
        byte[] value = truncated.getBytes(StandardCharsets.UTF_8);
        SysmonRecord r = read(value);
        assertThat(r.kind).isEqualTo(SysmonRecord.Kind.DEAD_LETTER);
        assertThat(r.deadLetter.reason)
                .isEqualTo(new SysmonLineParser(4096).parse(value, 0, value.length, Origin.kafka("sysmon", 3, 1234L)).deadLetter.reason);
    }
}
