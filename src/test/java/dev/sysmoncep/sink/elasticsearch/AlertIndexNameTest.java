package dev.sysmoncep.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class AlertIndexNameTest {

    @Test
    void theDefaultPutsAnAlertIntoTheIndexOfItsFirstEventsMonthInUtc() throws Exception {
        AlertIndexName name = AlertIndexName.parse(AlertIndexName.DEFAULT);

        assertThat(name.forTimestamp(Instant.parse("2024-01-31T23:59:59.999Z").toEpochMilli()))
                .isEqualTo("sysmon-cep-alerts-2024.01");
        assertThat(name.forTimestamp(Instant.parse("2024-02-01T00:00:00Z").toEpochMilli()))
                .isEqualTo("sysmon-cep-alerts-2024.02");
        assertThat(name.wildcard()).isEqualTo("sysmon-cep-alerts-*");
        assertThat(name.templateName()).isEqualTo("sysmon-cep-alerts");
        AlertIndexName shipped = InstantiationUtil.clone(name);
        assertThat(shipped.forTimestamp(0)).isEqualTo("sysmon-cep-alerts-1970.01");
    }

    @Test
    void aFixedNameIsItsOwnPattern() {
        AlertIndexName name = AlertIndexName.parse("soc-alerts");

        assertThat(name.forTimestamp(0)).isEqualTo("soc-alerts");
        assertThat(name.wildcard()).isEqualTo("soc-alerts");
        assertThat(name.templateName()).isEqualTo("soc-alerts");
    }

    @Test
    void aSuffixAfterTheDateIsKept() {
        AlertIndexName name = AlertIndexName.parse("alerts-{yyyy}-wermgr");

        assertThat(name.forTimestamp(0)).isEqualTo("alerts-1970-wermgr");
        assertThat(name.wildcard()).isEqualTo("alerts-*-wermgr");
        assertThat(name.templateName()).isEqualTo("alerts");
    }

    @Test
    void refusesNamesTheClusterWouldRefuse() {
        assertThatThrownBy(() -> AlertIndexName.parse("Sysmon-Alerts")).hasMessageContaining("upper-case");
        assertThatThrownBy(() -> AlertIndexName.parse("alerts-{MMM}")).hasMessageContaining("upper-case");
        assertThatThrownBy(() -> AlertIndexName.parse("_alerts")).hasMessageContaining("starts with");
        assertThatThrownBy(() -> AlertIndexName.parse("alerts {yyyy}")).hasMessageContaining("' '");
        assertThatThrownBy(() -> AlertIndexName.parse("{yyyy.MM}")).hasMessageContaining("fixed part");
        assertThatThrownBy(() -> AlertIndexName.parse("a-{yyyy}-{MM}")).hasMessageContaining("one date pattern");
        assertThatThrownBy(() -> AlertIndexName.parse("a-{yyyy")).hasMessageContaining("one date pattern");
        assertThatThrownBy(() -> AlertIndexName.parse("a-{qqqqqq}")).hasMessageContaining("bad date pattern");
    }
}
