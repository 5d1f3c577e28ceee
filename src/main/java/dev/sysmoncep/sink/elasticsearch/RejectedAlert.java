package dev.sysmoncep.sink.elasticsearch;

import java.io.Serializable;

/**
 * An alert that the cluster will never take as it is, with why: a mapping error (a field whose value
 * does not fit the index template), a missing id, a closed or blocked index. Retrying cannot help,
 * so the sink hands it to its {@link RejectedAlertHandler} instead. Its action says what was refused:
 * {@code index}, the document, or {@code delete}, a retracted alert's removal; the document of a
 * delete only shows which alert it was, and must not be indexed again.
 */
public final class RejectedAlert implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String alertId;
    private final String index;
    /** The bulk action refused: {@code index} or {@code delete}. */
    private final String action;
    /** The bulk item's HTTP status, or 0 when the sink rejected the alert before sending it. */
    private final int status;
    private final String reason;
    private final String document;

    public RejectedAlert(String alertId, String index, String action, int status, String reason, String document) {
        this.alertId = alertId;
        this.index = index;
        this.action = action;
        this.status = status;
        this.reason = reason;
        this.document = document;
    }

    public String alertId() {
        return alertId;
    }

    public String index() {
        return index;
    }

    public String action() {
        return action;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public String document() {
        return document;
    }

    @Override
    public String toString() {
        return "RejectedAlert{" + action + " " + alertId + " in " + index + ": " + status + " " + reason + "}";
    }
}
