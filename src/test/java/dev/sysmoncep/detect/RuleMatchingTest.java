package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sysmoncep.records.SysmonEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splunk's matching semantics on the bundled rules, entry by entry. */
class RuleMatchingTest {
    private static final RuleSet RULES = RuleSet.bundled();
    private static final EventRule PIPE = RULES.eventRule("2f3a4092-548b-421c-9caa-84918e1787ef");
    private static final EventRule IP_CHECK = RULES.eventRule("ed313326-a0f9-11eb-a89c-acde48001122");
    private static final String WERMGR = "C:\\Windows\\System32\\wermgr.exe";

    static SysmonEvent dns(String image, String query) {
        SysmonEvent e = new SysmonEvent();
        e.eventId = 22;
        e.host = "ws1";
        e.image = image;
        e.queryName = query;
        e.processGuid = "{11111111-2222-3333-4444-555555555555}";
        return e;
    }

    static SysmonEvent pipe(int eventId, String image, String eventType) {
        SysmonEvent e = new SysmonEvent();
        e.eventId = eventId;
        e.host = "ws1";
        e.image = image;
        e.eventType = eventType;
        e.pipeName = "\\qbot";
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"wtfismyip.com", "checkip.amazonaws.com", "ipecho.net", "ipinfo.io", "api.ipify.org",
            "icanhazip.com", "ip.anysrc.com", "api.ip.sb", "zen.spamhaus.org", "cbl.abuseat.org",
            "b.barracudacentral.org", "dnsbl-1.uceprotect.net", "spam.dnsbl.sorbs.net"})
    void everyWildcardEntryMatchesItselfAnySubdomainAndAnyCase(String domain) {
        assertThat(IP_CHECK.matches(dns(WERMGR, domain))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, "x." + domain))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, "50.220.65.3" + domain))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, domain.toUpperCase()))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, domain + ".example.net"))).isFalse();
        assertThat(IP_CHECK.matches(dns(WERMGR, domain.substring(1)))).isFalse();
    }

    @Test
    void exactEntriesMatchOnlyThemselves() {
        assertThat(IP_CHECK.matches(dns(WERMGR, "ident.me"))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, "IDENT.ME"))).isTrue();
        assertThat(IP_CHECK.matches(dns(WERMGR, "www.myexternalip.com"))).isTrue();
        for (String nearMiss : List.of("notident.me", "api.ident.me", "ident.me.example.net", "myexternalip.com",
                "x.www.myexternalip.com", "umwatson.events.data.microsoft.com")) {
            assertThat(IP_CHECK.matches(dns(WERMGR, nearMiss))).as(nearMiss).isFalse();
        }
    }

    /**
     * Look-alikes are other DNS names (IDN homographs), and Splunk's case-insensitive match does not
     * take them for the services: the dotless ı is no i, the long ſ no s, though their upper cases
     * are I and S (which is how Java's equalsIgnoreCase took them for the list's entries).
     */
    @Test
    void lookAlikesOfAListEntryAreNotTheService() {
        for (String lookAlike : List.of("ap\u0131.ipify.org", "\u0131dent.me", "\u017fpam.dnsbl.sorbs.net",
                "IDENT.ME".replace('I', '\u0131'), "www.myexternal\u0131p.com", "\u0131cANhazip.com")) {
            assertThat(IP_CHECK.matches(dns(WERMGR, lookAlike))).as(lookAlike).isFalse();
        }
        assertThat(PIPE.matches(pipe(17, WERMGR, "CreateP\u0131pe"))).isFalse();
        assertThat(PIPE.matches(pipe(17, WERMGR, "\u0131nfo"))).as("no collector's INFO, so no EventType derived").isFalse();
    }

    @Test
    void ipCheckRuleWantsWermgrByProcessNameAndEventTwentyTwo() {
        assertThat(IP_CHECK.matches(dns("C:\\Windows\\SysWOW64\\WERMGR.EXE", "api.ipify.org"))).isTrue();
        assertThat(IP_CHECK.matches(dns("wermgr.exe", "api.ipify.org"))).isTrue();
        assertThat(IP_CHECK.matches(dns("C:\\Tools\\notwermgr.exe", "api.ipify.org"))).isFalse();
        assertThat(IP_CHECK.matches(dns("C:\\Windows\\System32\\svchost.exe", "api.ipify.org"))).isFalse();
        assertThat(IP_CHECK.matches(dns(null, "api.ipify.org"))).isFalse();
        SysmonEvent notDns = dns(WERMGR, "api.ipify.org");
        notDns.eventId = 3;
        assertThat(IP_CHECK.matches(notDns)).isFalse();
    }

    @Test
    void pipeRuleWantsWermgrPathPipeEventsAndTheirEventType() {
        assertThat(PIPE.matches(pipe(17, WERMGR, "CreatePipe"))).isTrue();
        assertThat(PIPE.matches(pipe(18, WERMGR, "ConnectPipe"))).isTrue();
        assertThat(PIPE.matches(pipe(18, "c:\\windows\\syswow64\\WerMgr.exe", "connectpipe"))).isTrue();
        assertThat(PIPE.matches(pipe(17, "C:\\Tools\\notwermgr.exe", "CreatePipe"))).isFalse();
        assertThat(PIPE.matches(pipe(17, "wermgr.exe", "CreatePipe"))).as("Splunk's *\\wermgr.exe needs a path").isFalse();
        assertThat(PIPE.matches(pipe(17, WERMGR, "INFO"))).isFalse();
        assertThat(PIPE.matches(pipe(17, WERMGR, null))).isFalse();
        assertThat(PIPE.matches(pipe(22, WERMGR, "CreatePipe"))).isFalse();
    }

    @Test
    void groupKeysIgnoreCaseAndProcessGuidBraces() {
        SysmonEvent a = pipe(18, WERMGR, "ConnectPipe");
        a.processGuid = "{ABCDEF00-1111-2222-3333-444444444444}";
        SysmonEvent b = pipe(18, WERMGR.toUpperCase(), "connectpipe");
        b.processGuid = "abcdef00-1111-2222-3333-444444444444";
        b.host = "WS1";
        assertThat(PIPE.groupKey(a)).isEqualTo(PIPE.groupKey(b));
        b.pipeName = "\\other";
        assertThat(PIPE.groupKey(a)).isNotEqualTo(PIPE.groupKey(b));
    }
}
