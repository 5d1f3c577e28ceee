package dev.sysmoncep.detect;

import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonField;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A single-event rule, compiled from its definition: field conditions and the fields it groups by. */
public final class EventRule implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RuleDefinition definition;
    private final List<FieldCondition> conditions = new ArrayList<>();
    private final List<SysmonField> groupBy = new ArrayList<>();

    EventRule(RuleDefinition definition) {
        this.definition = definition;
        if (definition.match.isEmpty()) {
            throw new IllegalArgumentException("rule " + definition.id + " has no match conditions");
        }
        for (Map.Entry<String, ArrayList<String>> m : definition.match.entrySet()) {
            conditions.add(new FieldCondition(SysmonField.byRuleName(m.getKey()), m.getValue()));
        }
        for (String field : definition.groupBy) {
            groupBy.add(SysmonField.byRuleName(field));
        }
    }

    public String id() {
        return definition.id;
    }

    public RuleDefinition definition() {
        return definition;
    }

    /** All conditions hold; cheapest first, as the file lists them (the event id comes first). */
    public boolean matches(SysmonEvent event) {
        for (FieldCondition c : conditions) {
            if (!c.matches(event)) {
                return false;
            }
        }
        return true;
    }

    /** The group an event belongs to, as Splunk's {@code stats ... by} forms it, case-insensitively. */
    public String groupKey(SysmonEvent event) {
        StringBuilder key = new StringBuilder(128);
        for (SysmonField f : groupBy) {
            if (key.length() > 0) {
                key.append('\u001f');
            }
            key.append(f.keyOf(event));
        }
        return key.toString();
    }

    /**
     * Literal runs of which a matching event's line must contain one: those of the condition whose
     * patterns all hold a run of at least {@code minRun} letters, digits or {@code . - _} (the longest
     * run of each pattern), preferring the condition with the fewest patterns; null if none has.
     */
    List<String> requiredRuns(int minRun) {
        List<String> best = null;
        for (FieldCondition c : conditions) {
            List<String> runs = c.longestRuns(minRun);
            if (runs != null && (best == null || runs.size() < best.size())) {
                best = runs;
            }
        }
        return best;
    }

    /** A field and the patterns of which one must match its value. */
    static final class FieldCondition implements Serializable {
        private static final long serialVersionUID = 1L;
        private final SysmonField field;
        private final List<WildcardPattern> patterns = new ArrayList<>();
        /** Event ids compared as numbers, since every Sysmon event is checked against them. */
        private final int[] eventIds;

        FieldCondition(SysmonField field, List<String> patterns) {
            if (patterns == null || patterns.isEmpty()) {
                throw new IllegalArgumentException("field " + field.ruleName() + " has no patterns");
            }
            this.field = field;
            for (String p : patterns) {
                this.patterns.add(WildcardPattern.of(p));
            }
            this.eventIds = field == SysmonField.EVENT_CODE && patterns.stream().allMatch(p -> p.matches("[0-9]+"))
                    ? patterns.stream().mapToInt(Integer::parseInt).toArray()
                    : null;
        }

        /** The longest literal run of each pattern, or null if some pattern has none long enough. */
        List<String> longestRuns(int minRun) {
            if (eventIds != null) {
                return null;
            }
            List<String> runs = new ArrayList<>();
            for (WildcardPattern p : patterns) {
                String longest = "";
                for (String run : p.toString().split("[^A-Za-z0-9._-]+")) {
                    if (run.length() > longest.length()) {
                        longest = run;
                    }
                }
                if (longest.length() < minRun) {
                    return null;
                }
                runs.add(longest);
            }
            return runs;
        }

        boolean matches(SysmonEvent event) {
            if (eventIds != null) {
                for (int id : eventIds) {
                    if (event.eventId == id) {
                        return true;
                    }
                }
                return false;
            }
            String value = field.valueOf(event);
            if (value == null) {
                return false;
            }
            for (WildcardPattern p : patterns) {
                if (p.matches(value)) {
                    return true;
                }
            }
            return false;
        }
    }
}
