package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WildcardPatternTest {

    @Test
    void entryWithoutStarMustMatchTheWholeValueIgnoringCase() {
        WildcardPattern p = WildcardPattern.of("ident.me");
        assertThat(p.matches("ident.me")).isTrue();
        assertThat(p.matches("IDENT.ME")).isTrue();
        assertThat(p.matches("notident.me")).isFalse();
        assertThat(p.matches("ident.me.example.net")).isFalse();
        assertThat(p.matches("ident.m")).isFalse();
        assertThat(p.matches("")).isFalse();
        assertThat(p.matches(null)).isFalse();
    }

    @Test
    void leadingStarMatchesAnyPrefixIncludingNone() {
        WildcardPattern p = WildcardPattern.of("*api.ipify.org");
        assertThat(p.matches("api.ipify.org")).isTrue();
        assertThat(p.matches("geo.API.ipify.ORG")).isTrue();
        assertThat(p.matches("api.ipify.org.evil.example")).isFalse();
        assertThat(p.matches("api.ipify.or")).isFalse();
    }

    @Test
    void backslashAndDotAreLiteral() {
        WildcardPattern p = WildcardPattern.of("*\\wermgr.exe");
        assertThat(p.matches("C:\\Windows\\System32\\wermgr.exe")).isTrue();
        assertThat(p.matches("C:\\WINDOWS\\SysWOW64\\WERMGR.EXE")).isTrue();
        assertThat(p.matches("C:\\Tools\\notwermgr.exe")).isFalse();
        assertThat(p.matches("wermgr.exe")).isFalse();
        assertThat(p.matches("C:\\Windows\\System32\\wermgrXexe")).isFalse();
    }

    @Test
    void starsInTheMiddleAndAtTheEnd() {
        assertThat(WildcardPattern.of("a*b*c").matches("aXXbYYc")).isTrue();
        assertThat(WildcardPattern.of("a*b*c").matches("abc")).isTrue();
        assertThat(WildcardPattern.of("a*b*c").matches("acb")).isFalse();
        assertThat(WildcardPattern.of("a*a").matches("a")).isFalse();
        assertThat(WildcardPattern.of("pre*").matches("PREfix")).isTrue();
        assertThat(WildcardPattern.of("*mid*").matches("a mid b")).isTrue();
        assertThat(WildcardPattern.of("*").matches("")).isTrue();
        assertThat(WildcardPattern.of("**").matches("anything")).isTrue();
    }

    /** Case as Splunk's lower() sees it: characters are equal when their lower cases are. */
    @Test
    void lettersAreEqualWhenTheirLowerCasesAre() {
        WildcardPattern p = WildcardPattern.of("*checkip.amazonaws.com");
        assertThat(p.matches("CHECKIP.AMAZONAWS.COM")).isTrue();
        assertThat(p.matches("chec\u212aip.amazonaws.com")).as("the Kelvin sign's lower case is k").isTrue();
        assertThat(p.matches("check\u0130p.amazonaws.com")).as("capital I with dot's lower case is i").isTrue();
        assertThat(p.matches("check\u0131p.amazonaws.com")).as("the dotless \u0131 is a lower case of its own").isFalse();
        assertThat(WildcardPattern.of("*spam.dnsbl.sorbs.net").matches("\u017fpam.dnsbl.sorbs.net"))
                .as("the long \u017f is a lower case of its own").isFalse();
        assertThat(WildcardPattern.of("ident.me").matches("\u0131dent.me")).isFalse();
    }
}
