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
}
