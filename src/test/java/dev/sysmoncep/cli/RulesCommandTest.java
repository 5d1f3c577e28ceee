package dev.sysmoncep.cli;

import static dev.sysmoncep.Scenarios.IP_CHECK_RULE;
import static dev.sysmoncep.Scenarios.PIPE_RULE;
import static dev.sysmoncep.Scenarios.SEQUENCE_RULE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.detect.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesCommandTest {
    private static final List<String> IP_CHECK_ENTRIES = List.of("*wtfismyip.com", "*checkip.amazonaws.com",
            "*ipecho.net", "*ipinfo.io", "*api.ipify.org", "*icanhazip.com", "*ip.anysrc.com", "*api.ip.sb", "ident.me",
            "www.myexternalip.com", "*zen.spamhaus.org", "*cbl.abuseat.org", "*b.barracudacentral.org",
            "*dnsbl-1.uceprotect.net", "*spam.dnsbl.sorbs.net");

    @TempDir
    Path dir;

    @Test
    void theTableListsBothRulesTheSequenceEveryIpCheckEntryAndTheWindows() {
        Cli r = Cli.run("rules");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains(PIPE_RULE + "  Windows App Layer Protocol Wermgr Connect To NamedPipe",
                IP_CHECK_RULE + "  Wermgr Process Connecting To IP Check Web Services",
                SEQUENCE_RULE + "  Wermgr Named Pipe And IP Check Lookup By One Process",
                "type Anomaly, risk 49", "type TTP, risk 56", "type Correlation, risk 81",
                "TA0011 Command and Control / T1071 Application Layer Protocol",
                "TA0043 Reconnaissance / T1590 Gather Victim Network Information, T1590.005 IP Addresses",
                "*\\wermgr.exe", "CreatePipe  |  ConnectPipe", "any of 15:",
                "groups by  host, ProcessGuid, ProcessId, Image, EventType, PipeName, User");
        for (String entry : IP_CHECK_ENTRIES) {
            assertThat(r.out()).contains("  " + entry + System.lineSeparator());
        }
        assertThat(r.out()).containsPattern("suppression +1h ").containsPattern("sequence +1h ")
                .containsPattern("out-of-orderness +30s ").containsPattern("allowed-lateness +1h ")
                .containsPattern("idleness +1m ");
    }

    @Test
    void theWindowsShownAreThoseTheOptionsSet() {
        Cli r = Cli.run("rules", "--sequence-window", "8m", "--suppression-window", "90m");

        assertThat(r.out()).containsPattern("sequence +8m ").containsPattern("suppression +90m ")
                .contains("within 8m of each other", "one alert per group per 90m");
    }

    @Test
    void jsonCarriesTheSameFacts() throws Exception {
        Cli r = Cli.run("rules", "--format", "json", "--sequence-window", "30m");

        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.path("rules")).extracting(n -> n.path("id").asText()).containsExactly(PIPE_RULE, IP_CHECK_RULE);
        List<String> entries = new ArrayList<>();
        doc.at("/rules/1/match/QueryName").forEach(n -> entries.add(n.asText()));
        assertThat(entries).containsExactlyElementsOf(IP_CHECK_ENTRIES);
        assertThat(doc.at("/rules/0/risk_score").asInt()).isEqualTo(49);
        assertThat(doc.at("/rules/1/techniques/1/id").asText()).isEqualTo("T1590.005");
        assertThat(doc.at("/sequences/0/id").asText()).isEqualTo(SEQUENCE_RULE);
        assertThat(doc.at("/sequences/0/parts")).extracting(JsonNode::asText).containsExactly(PIPE_RULE, IP_CHECK_RULE);
        assertThat(doc.at("/windows/sequence").asText()).isEqualTo("PT30M");
        assertThat(doc.at("/windows/suppression").asText()).isEqualTo("PT1H");
        assertThat(doc.at("/source").asText()).contains(RuleSet.BUNDLED);
    }

    @Test
    void anotherRuleFileIsListedAsWritten() throws Exception {
        String bundled = new String(getClass().getClassLoader().getResourceAsStream(RuleSet.BUNDLED).readAllBytes());
        Path rules = Files.writeString(dir.resolve("my-rules.yml"),
                bundled.replace("'*api.ip.sb'", "'*api.ip.sb'\n        - '*myip.example.org'").replace("sequence: PT1H", "sequence: PT2H"));

        Cli r = Cli.run("rules", "--rules", rules.toString());

        assertThat(r.out()).contains("Rules in force (" + rules + ", version 0, sha256 ", "any of 16:", "*myip.example.org")
                .containsPattern("sequence +2h ");
    }
}
