package dev.sysmoncep.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A sequence of rules that must all match one process (host and ProcessGuid), in any order. */
public final class SequenceRule implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RuleDefinition definition;

    SequenceRule(RuleDefinition definition) {
        this.definition = definition;
    }

    public String id() {
        return definition.id;
    }

    public RuleDefinition definition() {
        return definition;
    }

    public List<String> parts() {
        return definition.parts;
    }

    /** Every order the parts can occur in; CEP matches each order with its own pattern. */
    public List<List<String>> orders() {
        List<List<String>> orders = new ArrayList<>();
        permute(new ArrayList<>(definition.parts), 0, orders);
        return orders;
    }

    private static void permute(List<String> parts, int from, List<List<String>> out) {
        if (from == parts.size()) {
            out.add(new ArrayList<>(parts));
            return;
        }
        for (int i = from; i < parts.size(); i++) {
            java.util.Collections.swap(parts, from, i);
            permute(parts, from + 1, out);
            java.util.Collections.swap(parts, from, i);
        }
    }
}
