package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.alert.AlertDocument;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Alerts as the job writes them (CONTRACT.md, "Output: the alert document"): ECS fields as nested
 * objects, from the three rules, on three hosts, over two months, so they land in two indices.
 */
final class SampleAlerts {
    static final String PIPE_RULE = "2f3a4092-548b-421c-9caa-84918e1787ef";
    static final String DNS_RULE = "ed313326-a0f9-11eb-a89c-acde48001122";
    static final String SEQUENCE_RULE = "f1a81b48-2139-4631-b968-ff5db9979678";
    static final String PIPE_RULE_NAME = "Windows App Layer Protocol Wermgr Connect To NamedPipe";
    static final String DNS_RULE_NAME = "Wermgr Process Connecting To IP Check Web Services";
    static final String SEQUENCE_RULE_NAME = "Wermgr Named Pipe And IP Check Lookup By One Process";

    static final String FIN_HOST = "WKS-FIN-07.corp.example";
    static final String HR_HOST = "WKS-HR-02.corp.example";
    static final String DC_HOST = "SRV-DC-01.corp.example";
    static final String FIN_GUID = "{5B4E1A2C-7F3D-6172-2A01-000000002A00}";
    static final String HR_GUID = "{5B4E1A2C-81AA-6172-3B01-000000003B00}";
    static final String DC_GUID = "{5B4E1A2C-9C10-6172-4C01-000000004C00}";

    static final Instant JAN_12 = Instant.parse("2024-01-12T09:14:03.211Z");
    static final Instant JAN_30 = Instant.parse("2024-01-30T22:40:51.007Z");
    static final Instant FEB_03 = Instant.parse("2024-02-03T07:02:44.500Z");
    static final long DC_LATENESS_MILLIS = 754_000;

    private SampleAlerts() {}

    /**
     * Six alerts: on FIN a pipe, a lookup and their sequence; on HR a pipe and a lookup; on DC a lookup
     * that a late event raised ({@link #DC_LATENESS_MILLIS} behind the watermark).
     */
    static List<AlertDocument> all() {
        AlertDocument finPipe = pipe(FIN_HOST, FIN_GUID, 6412, "\\TrkPipe_4411", JAN_12, 2);
        AlertDocument finDns = dns(FIN_HOST, FIN_GUID, 6412, "checkip.amazonaws.com", JAN_12.plusSeconds(40), 1);
        return List.of(finPipe, finDns,
                sequence(FIN_HOST, FIN_GUID, 6412, JAN_12, finPipe.id, finDns.id),
                pipe(HR_HOST, HR_GUID, 7120, "\\spoolss_ex", FEB_03, 1),
                dns(HR_HOST, HR_GUID, 7120, "api.ipify.org", FEB_03.plusSeconds(300), 3),
                late(dns(DC_HOST, DC_GUID, 2232, "203.0.113.9.zen.spamhaus.org", JAN_30, 1), DC_LATENESS_MILLIS));
    }

    static AlertDocument pipe(String host, String guid, int pid, String pipeName, Instant first, int count) {
        ObjectNode doc = base(PIPE_RULE, PIPE_RULE_NAME, "Anomaly", 49, host, guid, pid, first, count);
        doc.withObject("event").put("code", "17");
        doc.put("message", "wermgr.exe process is creating or connecting to a named pipe " + pipeName + " in " + host);
        threat(doc, "TA0011", "Command and Control", List.of("T1071"), List.of("Application Layer Protocol"), null);
        doc.putObject("file").put("name", pipeName);
        ObjectNode data = eventData(doc, guid, pid);
        data.put("EventType", "CreatePipe").put("PipeName", pipeName);
        doc.withObject("sysmon_cep").putArray("pipe_names").add(pipeName);
        return alert(PIPE_RULE, first, doc);
    }

    static AlertDocument dns(String host, String guid, int pid, String queryName, Instant first, int count) {
        ObjectNode doc = base(DNS_RULE, DNS_RULE_NAME, "TTP", 56, host, guid, pid, first, count);
        doc.withObject("event").put("code", "22");
        doc.put("message", "Wermgr.exe process connecting IP location web services on " + host);
        threat(doc, "TA0043", "Reconnaissance", List.of("T1590"), List.of("Gather Victim Network Information"),
                "T1590.005");
        doc.putObject("dns").put("response_code", "NOERROR").putObject("question").put("name", queryName);
        ObjectNode data = eventData(doc, guid, pid);
        data.put("QueryName", queryName).put("QueryStatus", "0")
                .put("QueryResults", "type:  5 " + queryName + ";::ffff:198.51.100.23;");
        doc.withObject("sysmon_cep").putArray("query_names").add(queryName);
        return alert(DNS_RULE, first, doc);
    }

    static AlertDocument sequence(String host, String guid, int pid, Instant first, String pipeAlertId,
            String dnsAlertId) {
        ObjectNode doc = base(SEQUENCE_RULE, SEQUENCE_RULE_NAME, "Correlation", 78, host, guid, pid, first, 2);
        doc.put("message", "wermgr.exe on " + host + " connected to a named pipe and looked up its public IP address");
        threat(doc, "TA0011", "Command and Control", List.of("T1071", "T1590"),
                List.of("Application Layer Protocol", "Gather Victim Network Information"), "T1590.005");
        doc.putObject("file").put("name", "\\TrkPipe_4411");
        doc.putObject("dns").putObject("question").put("name", "checkip.amazonaws.com");
        ObjectNode extra = doc.withObject("sysmon_cep");
        extra.putArray("related_alert_ids").add(pipeAlertId).add(dnsAlertId);
        extra.putArray("pipe_names").add("\\TrkPipe_4411");
        extra.putArray("query_names").add("checkip.amazonaws.com");
        return alert(SEQUENCE_RULE, first, doc);
    }

    /** The same alert with a new count and last-event time: what the job emits when more events join it. */
    static AlertDocument updated(AlertDocument alert, int count) throws JsonProcessingException {
        ObjectNode doc = (ObjectNode) NodeRest.JSON.readTree(alert.json);
        doc.withObject("event").put("count", count)
                .put("end", Instant.ofEpochMilli(alert.timestamp).plus(Duration.ofMinutes(count)).toString());
        return new AlertDocument(alert.id, alert.ruleId, alert.timestamp, alert.isFinal, alert.retracted,
                NodeRest.JSON.writeValueAsString(doc));
    }

    /** The alert as a late event raised or changed it, {@code latenessMillis} behind the watermark. */
    static AlertDocument late(AlertDocument alert, long latenessMillis) {
        return withOwnFields(alert, alert.retracted, own -> own.put("late", true).put("lateness_ms", latenessMillis));
    }

    /** The alert made void by a late event: the sink deletes it. */
    static AlertDocument retracted(AlertDocument alert) {
        return withOwnFields(alert, true, own -> own.put("retracted", true));
    }

    private static AlertDocument withOwnFields(AlertDocument alert, boolean retracted, Consumer<ObjectNode> change) {
        try {
            ObjectNode doc = (ObjectNode) NodeRest.JSON.readTree(alert.json);
            change.accept(doc.withObject("sysmon_cep"));
            return new AlertDocument(alert.id, alert.ruleId, alert.timestamp, alert.isFinal, retracted,
                    NodeRest.JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode base(String ruleId, String ruleName, String ruleType, int risk, String host,
            String guid, int pid, Instant first, int count) {
        ObjectNode doc = NodeRest.JSON.createObjectNode();
        doc.put("@timestamp", first.toString());
        String id = alertId(ruleId, host, guid, first);
        ObjectNode event = doc.putObject("event");
        event.put("kind", "alert").put("id", id).put("module", "sysmon").put("dataset", "sysmon_cep.alert")
                .put("severity", risk).put("risk_score", (float) risk)
                .put("start", first.toString()).put("end", first.plus(Duration.ofMinutes(count)).toString())
                .put("count", count);
        event.putArray("category").add("process");
        event.putArray("type").add("info");
        ObjectNode rule = doc.putObject("rule");
        rule.put("id", ruleId).put("name", ruleName).put("type", ruleType).put("version", "1")
                .put("ruleset", "sysmon-cep").put("description", ruleName + " (sysmon-cep)");
        rule.putArray("author").add("Splunk Threat Research Team");
        rule.putArray("reference").add("https://attack.mitre.org/techniques/T1071/");
        doc.putObject("host").put("name", host);
        doc.putObject("process").put("entity_id", guid).put("pid", pid)
                .put("executable", "C:\\Windows\\System32\\wermgr.exe").put("name", "wermgr.exe");
        doc.putObject("user").put("name", "NT AUTHORITY\\SYSTEM");
        doc.putObject("sysmon_cep").put("severity", risk >= 70 ? "high" : "medium")
                .put("window_start", first.toString()).put("final", true).put("late", false);
        return doc;
    }

    private static void threat(ObjectNode doc, String tacticId, String tacticName, List<String> techniqueIds,
            List<String> techniqueNames, String subtechniqueId) {
        ObjectNode threat = doc.putObject("threat").put("framework", "MITRE ATT&CK");
        ObjectNode tactic = threat.putObject("tactic");
        tactic.putArray("id").add(tacticId);
        tactic.putArray("name").add(tacticName);
        tactic.putArray("reference").add("https://attack.mitre.org/tactics/" + tacticId + "/");
        ObjectNode technique = threat.putObject("technique");
        techniqueIds.forEach(technique.putArray("id")::add);
        techniqueNames.forEach(technique.putArray("name")::add);
        techniqueIds.forEach(id -> technique.withArray("reference").add("https://attack.mitre.org/techniques/" + id + "/"));
        if (subtechniqueId != null) {
            ObjectNode sub = technique.putObject("subtechnique");
            sub.putArray("id").add(subtechniqueId);
            sub.putArray("name").add("IP Addresses");
            sub.putArray("reference").add("https://attack.mitre.org/techniques/T1590/005/");
        }
    }

    private static ObjectNode eventData(ObjectNode doc, String guid, int pid) {
        return doc.putObject("winlog").putObject("event_data")
                .put("ProcessGuid", guid).put("ProcessId", Integer.toString(pid))
                .put("Image", "C:\\Windows\\System32\\wermgr.exe").put("User", "NT AUTHORITY\\SYSTEM");
    }

    private static AlertDocument alert(String ruleId, Instant first, ObjectNode doc) {
        try {
            return new AlertDocument(doc.path("event").path("id").asText(), ruleId, first.toEpochMilli(), true,
                    NodeRest.JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic, like the job's: rule, group and window start. */
    private static String alertId(String ruleId, String host, String guid, Instant windowStart) {
        return UUID.nameUUIDFromBytes((ruleId + "|" + host.toLowerCase(Locale.ROOT) + "|"
                + guid.toLowerCase(Locale.ROOT).replaceAll("[{}]", "") + "|" + windowStart).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
