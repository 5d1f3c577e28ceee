package dev.sysmoncep.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.detect.RuleDefinition.MitreTag;
import dev.sysmoncep.detect.RuleDefinition;
import dev.sysmoncep.detect.RuleSet;
import dev.sysmoncep.records.Severity;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonField;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns an alert into the document dashboards and responders read: ECS field names as nested
 * objects, the rule's facts, MITRE ATT&CK tags, risk and severity, and the message with its
 * {@code $field$} placeholders filled.
 */
public class AlertEnricher implements MapFunction<Alert, AlertDocument> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Windows DNS status codes (QueryStatus) that are DNS response codes; others stay raw only. */
    private static final Map<String, String> RESPONSE_CODES = Map.ofEntries(
            Map.entry("0", "NOERROR"), Map.entry("9001", "FORMERR"), Map.entry("9002", "SERVFAIL"),
            Map.entry("9003", "NXDOMAIN"), Map.entry("9004", "NOTIMP"), Map.entry("9005", "REFUSED"),
            Map.entry("9006", "YXDOMAIN"), Map.entry("9007", "YXRRSET"), Map.entry("9008", "NXRRSET"),
            Map.entry("9009", "NOTAUTH"), Map.entry("9010", "NOTZONE"));

    /** Sysmon's own values, kept as the source spelled them under winlog.event_data. */
    private static final List<SysmonField> RAW_EVENT_DATA = List.of(SysmonField.PROCESS_GUID,
            SysmonField.PROCESS_ID, SysmonField.IMAGE, SysmonField.USER, SysmonField.EVENT_TYPE,
            SysmonField.PIPE_NAME, SysmonField.QUERY_NAME, SysmonField.QUERY_STATUS, SysmonField.QUERY_RESULTS);

    private final RuleSet rules;

    /** The rules of one file version: the alerts it enriches were raised under it. */
    public AlertEnricher(RuleSet rules) {
        this.rules = rules;
    }

    @Override
    public AlertDocument map(Alert alert) throws Exception {
        return new AlertDocument(alert.id, alert.ruleId, alert.firstTime, alert.isFinal, alert.retracted,
                JSON.writeValueAsString(document(alert)));
    }

    public ObjectNode document(Alert alert) {
        RuleDefinition rule = rules.definition(alert.ruleId);
        SysmonEvent e = alert.event;
        boolean sequence = !rule.parts.isEmpty();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("@timestamp", iso(alert.firstTime));
        doc.put("message", message(rule.message, alert));

        ObjectNode event = doc.putObject("event");
        event.put("kind", "alert");
        event.put("id", alert.id);
        event.putArray("category").add(sequence ? "intrusion_detection" : e.eventId == 22 ? "network" : "process");
        event.putArray("type").add("indicator");
        event.put("module", "sysmon");
        event.put("dataset", "sysmon_cep.alert");
        if (!sequence) {
            event.put("code", Integer.toString(e.eventId));
        }
        event.put("start", iso(alert.firstTime));
        event.put("end", iso(alert.lastTime));
        event.put("count", alert.count);
        event.put("risk_score", rule.riskScore);
        event.put("severity", Severity.of(rule.riskScore).number());

        ObjectNode r = doc.putObject("rule");
        r.put("id", rule.id);
        r.put("name", rule.name);
        if (rule.author != null) {
            ArrayNode authors = r.putArray("author");
            Arrays.stream(rule.author.split(",\\s*")).forEach(authors::add);
        }
        if (!rule.references.isEmpty()) {
            r.put("reference", rule.references.get(0));
        }
        r.put("description", rule.description);
        r.put("category", rule.type);
        r.put("version", Integer.toString(rule.version));
        r.put("ruleset", sequence ? "sysmon-cep" : "Splunk Security Content");

        ObjectNode threat = doc.putObject("threat");
        threat.put("framework", "MITRE ATT&CK");
        tags(threat.putObject("tactic"), rule.tactics);
        ObjectNode technique = threat.putObject("technique");
        tags(technique, rule.techniques.stream().filter(t -> t.parent == null).toList());
        List<MitreTag> subtechniques = rule.techniques.stream().filter(t -> t.parent != null).toList();
        if (!subtechniques.isEmpty()) {
            tags(technique.putObject("subtechnique"), subtechniques);
        }

        putIfPresent(doc.putObject("host"), "name", e.host);
        ObjectNode process = doc.putObject("process");
        putIfPresent(process, "entity_id", e.processGuid);
        putPid(process, e.processId);
        putIfPresent(process, "executable", e.image);
        putIfPresent(process, "name", e.processName());
        if (e.user != null) {
            doc.putObject("user").put("name", e.user);
        }
        if (!alert.pipeNames.isEmpty()) {
            putNames(doc.putObject("file"), "name", alert.pipeNames);
        }
        if (!alert.queryNames.isEmpty()) {
            ObjectNode dns = doc.putObject("dns");
            putNames(dns.putObject("question"), "name", alert.queryNames);
            String code = e.queryStatus == null ? null : RESPONSE_CODES.get(e.queryStatus.trim());
            putIfPresent(dns, "response_code", code);
        }

        ObjectNode data = doc.putObject("winlog").putObject("event_data");
        for (SysmonField f : RAW_EVENT_DATA) {
            putIfPresent(data, f.ruleName(), f.valueOf(e));
        }

        ObjectNode own = doc.putObject("sysmon_cep");
        own.put("alert_id", alert.id);
        ObjectNode file = own.putObject("rules");
        file.put("version", rules.fileVersion().version);
        file.put("sha256", rules.fileVersion().sha256);
        own.put("severity", Severity.of(rule.riskScore).label());
        own.put("window_start", iso(alert.windowStart));
        own.put("final", alert.isFinal);
        own.put("late", alert.late);
        if (alert.late) {
            own.put("lateness_ms", alert.latenessMillis);
        }
        if (alert.retracted) {
            own.put("retracted", true);
        }
        if (!alert.relatedAlertIds.isEmpty()) {
            alert.relatedAlertIds.forEach(own.putArray("related_alert_ids")::add);
        }
        alert.pipeNames.forEach(own.putArray("pipe_names")::add);
        alert.queryNames.forEach(own.putArray("query_names")::add);
        if (e.origin != null) {
            own.put("first_event_origin", e.origin.toString());
        }
        return doc;
    }

    /**
     * Fills {@code $dest$}, {@code $PipeName$}, ... ; a field the alert's events lack reads
     * "(host unknown)", "(PipeName unknown)": never a raw {@code $dest$} in front of an analyst.
     */
    static String message(String template, Alert alert) {
        Matcher m = SysmonField.PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = placeholderValue(m.group(1), alert);
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : "(" + unknown(m.group(1)) + " unknown)"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String unknown(String placeholder) {
        return SysmonField.byRuleName(placeholder) == SysmonField.HOST ? "host" : placeholder;
    }

    private static String placeholderValue(String name, Alert alert) {
        if (name.equals("PipeName") && !alert.pipeNames.isEmpty()) {
            return String.join(", ", alert.pipeNames);
        }
        if (name.equals("QueryName") && !alert.queryNames.isEmpty()) {
            return String.join(", ", alert.queryNames);
        }
        return SysmonField.byRuleName(name).valueOf(alert.event);
    }

    private static void tags(ObjectNode into, List<MitreTag> tags) {
        ArrayNode ids = into.putArray("id");
        ArrayNode names = into.putArray("name");
        ArrayNode refs = into.putArray("reference");
        for (MitreTag t : tags) {
            ids.add(t.id);
            names.add(t.name);
            refs.add(t.reference());
        }
    }

    private static void putNames(ObjectNode into, String field, List<String> names) {
        if (names.size() == 1) {
            into.put(field, names.get(0));
        } else {
            names.forEach(into.putArray(field)::add);
        }
    }

    private static void putPid(ObjectNode process, String pid) {
        if (pid == null) {
            return;
        }
        try {
            process.put("pid", Long.parseLong(pid.trim()));
        } catch (NumberFormatException notANumber) {
            // The raw value stays in winlog.event_data.ProcessId.
        }
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
