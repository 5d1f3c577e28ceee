package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CandidateFilterTest {
    private static final CandidateFilter FILTER = CandidateFilter.of(RuleSet.bundled());

    private static boolean mayMatch(String line) {
        byte[] b = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
        return FILTER.mayMatch(b, 2, b.length - 4);
    }

    @Test
    void theBundledRulesNeedWermgrExeInTheLine() {
        assertThat(FILTER.isSelective()).isTrue();
        assertThat(mayMatch("{\"Image\":\"C:\\\\Windows\\\\System32\\\\wermgr.exe\"}")).isTrue();
        assertThat(mayMatch("<Data Name='Image'>C:\\WINDOWS\\SysWOW64\\WerMgr.EXE</Data>")).isTrue();
        assertThat(mayMatch("{\"process\":{\"name\":\"wermgr.exe\"}}")).isTrue();
        assertThat(mayMatch("{\"Image\":\"C:\\\\Windows\\\\System32\\\\svchost.exe\",\"QueryName\":\"api.ipify.org\"}")).isFalse();
        assertThat(mayMatch("{\"Image\":\"C:\\\\wermgr.ex\"}")).isFalse();
        assertThat(mayMatch("")).isFalse();
        assertThat(mayMatch("{\"Image\":\"C:\\\\users\\\\Public\\\\x.exe\"}")).as("escaped backslashes").isFalse();
    }

    @Test
    void escapedOrNonAsciiLinesAreAlwaysCandidates() {
        assertThat(mayMatch("{\"Image\":\"C:\\\\\\u0077ermgr.exe\"}")).isTrue();
        assertThat(mayMatch("<Data Name='Image'>C:\\&#119;ermgr.exe</Data>")).isTrue();
        assertThat(mayMatch("{\"Image\":\"C:\\\\x\u212a.exe\"}")).as("Kelvin sign folds to k").isTrue();
        assertThat(mayMatch("{\"Image\":\"C:\\\\\u0130x.exe\"}")).as("dotted capital I folds to i").isTrue();
        assertThat(mayMatch("{\"Product\":\"Microsoft\u00ae Windows\u00ae\",\"User\":\"j\u00fcrgen\"}"))
                .as("other non-ASCII text cannot form wermgr.exe").isFalse();
        assertThat(mayMatch("{\"QueryName\":\"ap\u0131.ipify.org\",\"x\":\"\u017f\"}"))
                .as("the dotless \u0131 and the long \u017f are no ASCII letters to matching").isFalse();
    }

    /** XML markup a value's text runs across: the text is wermgr.exe, the line's bytes are not. */
    @Test
    void linesWithXmlCommentsOrCdataAreAlwaysCandidates() {
        assertThat(mayMatch("<Data Name='Image'>C:\\wer<!-- x -->mgr.exe</Data>")).isTrue();
        assertThat(mayMatch("<Data Name='Image'>C:\\wer<![CDATA[mgr]]>.exe</Data>")).isTrue();
        assertThat(mayMatch("<Data Name='Image'>C:\\svchost.exe</Data><Data Name='x'>a < b ! c</Data>")).isFalse();
    }

    @Test
    void aRuleWithoutALiteralRunMakesTheFilterPassEverything() throws Exception {
        String yaml = "rules:\n  - id: any-pipe\n    name: n\n    message: m\n    match:\n"
                + "      EventCode: [\"17\"]\n      PipeName: ['*']\n";
        RuleSet rules = RuleSet.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yml");
        CandidateFilter filter = CandidateFilter.of(rules);
        assertThat(filter.isSelective()).isFalse();
        assertThat(filter.mayMatch(new byte[] {'a'}, 0, 1)).isTrue();
    }

    /**
     * Long lines are looked at a block (32 or 64 bytes) and a word (8) at a time: whatever may start
     * a match is found at every position and alignment, and nothing else lets a line through. (Inserts
     * follow a space, so that none lands after a backslash that would escape it.)
     */
    @Test
    void whatMayStartAMatchIsFoundAtEveryPositionOfALongLine() {
        String background = "{\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Image\":\"C:\\\\Windows\\\\System32\\\\svchost.exe\","
                + "\"Message\":\"Pipe Created:\\r\\nRuleName: -\\r\\nUtcTime: 2024-03-11 00:00:00.078\","
                + "\"PipeName\":\"\\\\PSHost.133550123.4420.DefaultAppDomain.powershell\"}";
        assertThat(background.length()).isGreaterThan(200);
        String[] mayMatch = {"WerMgr.exe", "wermgr.exe", "\\u0077", "&#119;", "\u212a", "\u0130"};
        String[] cannot = {"wermgr.ex", "WERMGR", "&x", "\u00ae", "\u0131", "\u017f", "\u0131\u017f"};
        for (int prefix = 0; prefix < 3; prefix++) {
            for (int at = 0; at <= background.length(); at++) {
                for (String insert : mayMatch) {
                    assertThat(matches(prefix, background.substring(0, at) + " " + insert + background.substring(at)))
                            .as("%s at %d after %d bytes", insert, at, prefix).isTrue();
                }
                for (String insert : cannot) {
                    assertThat(matches(prefix, background.substring(0, at) + " " + insert + "\"" + background.substring(at)))
                            .as("%s at %d after %d bytes", insert, at, prefix).isFalse();
                }
            }
        }
    }

    private static boolean matches(int prefix, String line) {
        byte[] b = ("@".repeat(prefix) + line + "wermgr.exe").getBytes(StandardCharsets.UTF_8);
        int len = b.length - prefix - "wermgr.exe".length();
        return FILTER.mayMatch(b, prefix, len);
    }
}
