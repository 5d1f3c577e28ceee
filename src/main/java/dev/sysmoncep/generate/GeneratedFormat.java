package dev.sysmoncep.generate;

import dev.sysmoncep.records.SourceFormat;
import java.util.Locale;

/** The line format of a generated file: one of the three input formats, or all three line by line. */
public enum GeneratedFormat {
    XML("xml", SourceFormat.XML),
    FLAT_JSON("json", SourceFormat.FLAT_JSON),
    ECS_JSON("ecs", SourceFormat.ECS_JSON),
    /** XML, flat JSON and ECS JSON in turn, as a collector directory fed by mixed shippers. */
    MIXED("mixed", null);

    private static final SourceFormat[] ROTATION = {SourceFormat.XML, SourceFormat.FLAT_JSON, SourceFormat.ECS_JSON};

    /** The name on the command line ({@code --format json}). */
    public final String optionName;
    private final SourceFormat single;

    GeneratedFormat(String optionName, SourceFormat single) {
        this.optionName = optionName;
        this.single = single;
    }

    /** The format of the line at that 0-based index. */
    public SourceFormat lineFormat(long lineIndex) {
        return single != null ? single : ROTATION[(int) (lineIndex % ROTATION.length)];
    }

    /** Reads {@code xml}, {@code json}, {@code ecs} or {@code mixed}, in any case. */
    public static GeneratedFormat ofOptionName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (GeneratedFormat f : values()) {
            if (f.optionName.equals(wanted)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "': use xml, json, ecs or mixed");
    }
}
