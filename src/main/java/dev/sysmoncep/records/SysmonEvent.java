package dev.sysmoncep.records;


/**
 * One Sysmon event, normalised from any input format. Values keep their source spelling; the
 * {@code *Key()} methods give the case-insensitive forms used for keying and grouping.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so that state holding it can evolve.
 */
public class SysmonEvent {
    public SourceFormat format;
    /** Sysmon {@code Computer}; Splunk's {@code dest}. */
    public String host;
    /** Sysmon event id: 17 pipe created, 18 pipe connected, 22 DNS query, ... */
    public int eventId;
    /** Event time, epoch milliseconds UTC: Sysmon UtcTime where present, else the record time. */
    public long eventTime;
    public String processGuid;
    public String processId;
    public String image;
    public String user;
    /** CreatePipe or ConnectPipe for events 17/18, derived from the event id when the source lacks it. */
    public String eventType;
    public String pipeName;
    public String queryName;
    public String queryStatus;
    public String queryResults;
    public Origin origin;
    /** The rule file version the router matched the event under ({@link RuleFileVersion#version}). */
    public int rulesVersion;

    public SysmonEvent() {}

    /** The file name part of Image ({@code C:\Windows\System32\wermgr.exe} gives {@code wermgr.exe}). */
    public String processName() {
        if (image == null) {
            return null;
        }
        int cut = Math.max(image.lastIndexOf('\\'), image.lastIndexOf('/'));
        return cut < 0 ? image : image.substring(cut + 1);
    }

    /** Host for keying: case-insensitive. */
    public String hostKey() {
        return keyOf(host);
    }

    /** ProcessGuid for keying: case-insensitive, braces ignored. */
    public String processGuidKey() {
        return guidKey(processGuid);
    }

    public static String keyOf(String value) {
        return value == null ? "" : value.toLowerCase(java.util.Locale.ROOT);
    }

    public static String guidKey(String guid) {
        if (guid == null) {
            return "";
        }
        String g = guid.trim();
        if (g.startsWith("{") && g.endsWith("}")) {
            g = g.substring(1, g.length() - 1);
        }
        return g.toLowerCase(java.util.Locale.ROOT);
    }

    /** Well-known accounts by SID (XML {@code Security/@UserID}) as their names (nxlog's {@code Domain\\AccountName}). */
    private static final java.util.Map<String, String> WELL_KNOWN_ACCOUNTS = java.util.Map.of(
            "s-1-5-18", "nt authority\\system",
            "s-1-5-19", "nt authority\\local service",
            "s-1-5-20", "nt authority\\network service");

    /** User for grouping: case-insensitive, a well-known account's SID and its name one user. */
    public static String userKey(String user) {
        String key = keyOf(user).trim();
        return WELL_KNOWN_ACCOUNTS.getOrDefault(key, key);
    }

    @Override
    public String toString() {
        return "SysmonEvent{" + format + " " + eventId + " host=" + host + " time=" + eventTime
                + " guid=" + processGuid + " pid=" + processId + " image=" + image + " user=" + user
                + " type=" + eventType + " pipe=" + pipeName + " query=" + queryName
                + " status=" + queryStatus + " results=" + queryResults + " origin=" + origin + "}";
    }
}
