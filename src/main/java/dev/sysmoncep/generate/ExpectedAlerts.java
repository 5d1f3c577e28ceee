package dev.sysmoncep.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.alert.AlertIds;
import dev.sysmoncep.detect.EventRule;
import dev.sysmoncep.detect.Finding;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.detect.SequenceMatches;
import dev.sysmoncep.detect.SequenceRule;
import dev.sysmoncep.generate.WermgrAttacks.Emitted;
import dev.sysmoncep.records.SysmonEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alerts a replay of a generated file must raise, worked out from the attack events written:
 * per rule and group, one alert per suppression window, its id from {@link AlertIds} as the job
 * forms it; per sequence and process, one alert per window of completed sequences (a completed
 * sequence drops the partial ones begun before it, as the job's CEP patterns do).
 *
 * <p>Which rule an event matches is asked of the rules themselves; what is checked here is the
 * scenario's intent: an event meant to match must match a rule and a near miss none, or the
 * generator is wrong and says so.
 */
public final class ExpectedAlerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One alert: the fields a test or a user compares with the job's alert lines. */
    public record Expected(String alertId, String ruleId, String ruleName, String host, String processGuid) {}

    private ExpectedAlerts() {}

    public static List<Expected> of(List<Emitted> emitted, RuleSet rules) {
        long suppression = rules.suppressionWindow().toMillis();
        List<Expected> alerts = new ArrayList<>();
        // rule id -> group key -> events, and process key -> (rule id, event) for the sequences
        Map<String, Map<String, List<SysmonEvent>>> groups = new TreeMap<>();
        Map<String, List<Finding>> byProcess = new TreeMap<>();
        for (Emitted emit : emitted) {
            SysmonEvent e = emit.event();
            List<EventRule> matching = rules.eventRules().stream().filter(r -> r.matches(e)).toList();
            if (matching.isEmpty() == emit.meantToMatch()) {
                throw new IllegalStateException("a generated attack event was meant to " + (emit.meantToMatch()
                        ? "match a rule but matches none" : "match no rule but matches one") + ": " + e);
            }
            for (EventRule rule : matching) {
                groups.computeIfAbsent(rule.id(), id -> new TreeMap<>())
                        .computeIfAbsent(rule.groupKey(e), k -> new ArrayList<>()).add(e);
                byProcess.computeIfAbsent(Finding.processKey(e), k -> new ArrayList<>()).add(Finding.ofEvent(rule, e));
            }
        }
        groups.forEach((ruleId, byGroup) -> byGroup.forEach((groupKey, events) -> {
            List<SysmonEvent> inOrder = new ArrayList<>(events);
            inOrder.sort(Comparator.comparingLong(e -> e.eventTime));
            long windowStart = Long.MIN_VALUE;
            for (SysmonEvent e : inOrder) {
                if (windowStart == Long.MIN_VALUE || e.eventTime >= windowStart + suppression) {
                    windowStart = e.eventTime;
                    alerts.add(expected(rules, ruleId, groupKey, windowStart, e));
                }
            }
        }));
        for (SequenceRule sequence : rules.sequences()) {
            long window = rules.sequenceWindow().toMillis();
            byProcess.forEach((processKey, findings) -> {
                // The sequences the job's CEP completes, in the order they complete.
                List<Finding> completed = new ArrayList<>();
                for (List<String> order : sequence.orders()) {
                    completed.addAll(SequenceMatches.of(sequence, order, window, findings));
                }
                completed.sort(Comparator.comparingLong(c -> c.time));
                long windowStart = Long.MIN_VALUE;
                for (Finding c : completed) {
                    if (windowStart == Long.MIN_VALUE || c.time >= windowStart + suppression) {
                        windowStart = c.time;
                        alerts.add(expected(rules, sequence.id(), processKey, windowStart, c.event));
                    }
                }
            });
        }
        alerts.sort(Comparator.comparing(Expected::ruleId).thenComparing(Expected::host)
                .thenComparing(Expected::processGuid).thenComparing(Expected::alertId));
        return alerts;
    }

    private static Expected expected(RuleSet rules, String ruleId, String groupKey, long windowStart, SysmonEvent e) {
        return new Expected(AlertIds.of(ruleId, groupKey, windowStart), ruleId, rules.definition(ruleId).name, e.host,
                e.processGuid);
    }

    /** One JSON line per alert, with the alert document's field names, sorted by rule, host and process. */
    public static void write(List<Expected> alerts, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Expected a : alerts) {
                out.write(line(a));
                out.write('\n');
            }
        }
    }

    static String line(Expected a) {
        ObjectNode doc = JSON.createObjectNode();
        doc.putObject("event").put("id", a.alertId());
        doc.putObject("rule").put("id", a.ruleId()).put("name", a.ruleName());
        doc.putObject("host").put("name", a.host());
        doc.putObject("process").put("entity_id", a.processGuid());
        return doc.toString();
    }

    /** Alerts per rule id, in rule id order. */
    public static Map<String, Integer> countsByRule(List<Expected> alerts) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        alerts.stream().sorted(Comparator.comparing(Expected::ruleId))
                .forEach(a -> counts.merge(a.ruleId(), 1, Integer::sum));
        return counts;
    }
}
