package dev.sysmoncep.records;

/** The three input formats recognised per line (CONTRACT "Inputs"). */
public enum SourceFormat {
    /** Splunk XmlWinEventLog: one {@code <Event>} element per line. */
    XML,
    /** Flat Sysmon JSON (OTRF Security-Datasets, nxlog): EventData fields at the top level. */
    FLAT_JSON,
    /** Winlogbeat / Elastic Agent ECS JSON: winlog.*, process.*, dns.*, file.*. */
    ECS_JSON,
    /** Not recognisable as any of the above. */
    UNKNOWN
}
