package dev.sysmoncep.records;

/** Splunk's risk bands, with the numeric severities Elastic's detection rules use. */
public enum Severity {
    INFORMATIONAL("informational", 1), LOW("low", 21), MEDIUM("medium", 47), HIGH("high", 73), CRITICAL("critical", 99);

    private final String label;
    private final int number;

    Severity(String label, int number) {
        this.label = label;
        this.number = number;
    }

    /** The label an analyst reads: low, medium, high, critical. */
    public String label() {
        return label;
    }

    /** ECS {@code event.severity}. */
    public int number() {
        return number;
    }

    /** The band of a risk score, 0..100: 41-60 medium, 81-100 critical, as Splunk bands them. */
    public static Severity of(int riskScore) {
        if (riskScore > 80) {
            return CRITICAL;
        }
        if (riskScore > 60) {
            return HIGH;
        }
        if (riskScore > 40) {
            return MEDIUM;
        }
        return riskScore > 20 ? LOW : INFORMATIONAL;
    }
}
