package dev.sysmoncep.sink.elasticsearch;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Which index an alert goes to: a fixed name, or a name with one date part in braces, filled from
 * the alert's {@code @timestamp} in UTC, e.g. {@code sysmon-cep-alerts-{yyyy.MM}}.
 *
 * <p>The date comes from the alert's first event, which no update of the alert changes, so every
 * version of an alert lands in the same index and an update replaces the document by its id
 * instead of leaving an older copy in last month's index; the retraction of an alert, which keeps
 * that time, deletes it from there.
 */
public final class AlertIndexName implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT = "sysmon-cep-alerts-{yyyy.MM}";

    private final String pattern;
    private final String prefix;
    private final String datePattern;
    private final String suffix;
    private transient DateTimeFormatter formatter;

    private AlertIndexName(String pattern, String prefix, String datePattern, String suffix) {
        this.pattern = pattern;
        this.prefix = prefix;
        this.datePattern = datePattern;
        this.suffix = suffix;
    }

    public static AlertIndexName parse(String pattern) {
        int open = pattern.indexOf('{');
        int close = pattern.indexOf('}');
        AlertIndexName name;
        if (open < 0 && close < 0) {
            name = new AlertIndexName(pattern, pattern, null, "");
        } else if (open >= 0 && close > open + 1 && pattern.indexOf('{', open + 1) < 0
                && pattern.indexOf('}', close + 1) < 0) {
            name = new AlertIndexName(pattern, pattern.substring(0, open), pattern.substring(open + 1, close),
                    pattern.substring(close + 1));
        } else {
            throw new IllegalArgumentException(
                    "Index name '" + pattern + "' must be a name, or a name with one date pattern in braces");
        }
        if (name.datePattern != null && name.prefix.isEmpty()) {
            throw new IllegalArgumentException(
                    "Index name '" + pattern + "' must start with a fixed part, which also names its template");
        }
        String sample;
        try {
            sample = name.forTimestamp(Instant.parse("2024-12-31T23:59:59Z").toEpochMilli());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Index name '" + pattern + "' has a bad date pattern", e);
        }
        String problem = problemWithIndexName(sample);
        if (problem != null) {
            throw new IllegalArgumentException("Index name '" + pattern + "' gives '" + sample + "', which " + problem);
        }
        return name;
    }

    /** The index for an alert whose first event happened at {@code epochMillis}. */
    public String forTimestamp(long epochMillis) {
        if (datePattern == null) {
            return prefix;
        }
        if (formatter == null) {
            formatter = DateTimeFormatter.ofPattern(datePattern, Locale.ROOT).withZone(ZoneOffset.UTC);
        }
        return prefix + formatter.format(Instant.ofEpochMilli(epochMillis)) + suffix;
    }

    /** The index pattern that matches every index this name produces (for templates and data views). */
    public String wildcard() {
        return datePattern == null ? prefix : prefix + "*" + suffix;
    }

    /** The index template's name: the fixed part without its trailing separator. */
    public String templateName() {
        return prefix.replaceAll("[-_.]+$", "");
    }

    @Override
    public String toString() {
        return pattern;
    }

    /** Elasticsearch's and OpenSearch's rules for index names, or null when the name follows them. */
    private static String problemWithIndexName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return "is not a name";
        }
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            return "has upper-case letters";
        }
        if ("-_+".indexOf(name.charAt(0)) >= 0) {
            return "starts with -, _ or +";
        }
        for (char c : name.toCharArray()) {
            if ("\\/*?\"<>| ,#:".indexOf(c) >= 0) {
                return "has the character '" + c + "'";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            return "is longer than 255 bytes";
        }
        return null;
    }
}
