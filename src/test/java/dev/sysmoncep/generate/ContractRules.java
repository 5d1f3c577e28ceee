package dev.sysmoncep.generate;

import dev.sysmoncep.records.SysmonEvent;
import java.util.List;
import java.util.Locale;

/**
 * The matching facts of CONTRACT rules 1 and 2, restated independently of the detector so tests of
 * generated data can say which events a correct detector must (not) match.
 */
final class ContractRules {
    /** Splunk's QueryName list: a leading {@code *} matches any run of characters, else the whole name. */
    static final List<String> IP_CHECK_NAMES = List.of("*wtfismyip.com", "*checkip.amazonaws.com", "*ipecho.net",
            "*ipinfo.io", "*api.ipify.org", "*icanhazip.com", "*ip.anysrc.com", "*api.ip.sb", "ident.me",
            "www.myexternalip.com", "*zen.spamhaus.org", "*cbl.abuseat.org", "*b.barracudacentral.org",
            "*dnsbl-1.uceprotect.net", "*spam.dnsbl.sorbs.net");

    private ContractRules() {}

    static boolean isIpCheckName(String queryName) {
        if (queryName == null) {
            return false;
        }
        String name = queryName.toLowerCase(Locale.ROOT);
        for (String pattern : IP_CHECK_NAMES) {
            if (pattern.startsWith("*") ? name.endsWith(pattern.substring(1)) : name.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    static boolean isWermgr(SysmonEvent e) {
        return e.image != null && e.image.toLowerCase(Locale.ROOT).endsWith("\\wermgr.exe");
    }

    /** Rule 1: a pipe created or connected by wermgr.exe. */
    static boolean matchesPipeRule(SysmonEvent e) {
        return (e.eventId == 17 || e.eventId == 18) && isWermgr(e);
    }

    /** Rule 2: wermgr.exe looking up an IP-check service. */
    static boolean matchesDnsRule(SysmonEvent e) {
        return e.eventId == 22 && isWermgr(e) && isIpCheckName(e.queryName);
    }
}
