package dev.sysmoncep.workflow;

import dev.sysmoncep.detect.RuleSet;
import java.io.Serializable;
import java.time.Duration;

/** What the detection runs with: the rules and the windows in force. */
public final class DetectionSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLENESS = Duration.ofMinutes(1);
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofHours(1);
    public static final int DEFAULT_MAX_LINE_BYTES = dev.sysmoncep.recognise.SysmonLineParser.DEFAULT_MAX_LINE_BYTES;

    private final RuleSet rules;
    private Duration suppressionWindow;
    private Duration sequenceWindow;
    private Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private Duration idleness = DEFAULT_IDLENESS;
    private Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
    private boolean emitOnOpen;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;

    public DetectionSettings(RuleSet rules) {
        this.rules = rules;
        this.suppressionWindow = rules.suppressionWindow();
        this.sequenceWindow = rules.sequenceWindow();
    }

    public static DetectionSettings defaults() {
        return new DetectionSettings(RuleSet.bundled());
    }

    public RuleSet rules() {
        return rules;
    }

    public Duration suppressionWindow() {
        return suppressionWindow;
    }

    public DetectionSettings suppressionWindow(Duration window) {
        this.suppressionWindow = positive(window, "suppression window");
        return this;
    }

    public Duration sequenceWindow() {
        return sequenceWindow;
    }

    public DetectionSettings sequenceWindow(Duration window) {
        this.sequenceWindow = positive(window, "sequence window");
        return this;
    }

    /** How far events may arrive out of order before they count as late (streaming). */
    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public DetectionSettings outOfOrderness(Duration tolerance) {
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("the out-of-order tolerance cannot be negative");
        }
        this.outOfOrderness = tolerance;
        return this;
    }

    /**
     * Streaming: how far behind the watermark an event may still come and raise, join or complete
     * its alert, as a replay of the same records would; later ones only go to the late output.
     */
    public Duration allowedLateness() {
        return allowedLateness;
    }

    public DetectionSettings allowedLateness(Duration lateness) {
        if (lateness.isNegative()) {
            throw new IllegalArgumentException("the allowed lateness cannot be negative");
        }
        this.allowedLateness = lateness;
        return this;
    }

    /** After how long without events a Kafka partition read to its end stops holding the watermark back. */
    public Duration idleness() {
        return idleness;
    }

    public DetectionSettings idleness(Duration idle) {
        this.idleness = positive(idle, "idleness timeout");
        return this;
    }

    /** Streaming: an alert leaves when it opens, then again final when its window closes. Batch: once, final. */
    public boolean emitOnOpen() {
        return emitOnOpen;
    }

    public DetectionSettings emitOnOpen(boolean emit) {
        this.emitOnOpen = emit;
        return this;
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    public DetectionSettings maxLineBytes(int max) {
        if (max < 1024) {
            throw new IllegalArgumentException("the maximum line length must be at least 1024 bytes");
        }
        this.maxLineBytes = max;
        return this;
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive");
        }
        return d;
    }
}
