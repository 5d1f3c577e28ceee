package dev.sysmoncep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sysmoncep.records.SysmonEvent;
import java.io.StringReader;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The naive way to read a Sysmon line, for the baselines (the naive Flink job, the Kafka Streams
 * app): the whole line into a JSON tree (Jackson {@code readTree}) or an XML DOM (DTDs off), then the
 * fields the rules use picked out of the tree. Every line, no filter. One per thread (the DOM
 * builder is not thread-safe).
 */
final class TreeParser {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final ObjectMapper json = new ObjectMapper();
    private final DocumentBuilder xml;

    TreeParser() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            xml = factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The line's event, or null for a line it cannot read: the baselines only measure, so such a line is no event. */
    SysmonEvent parse(String line) {
        try {
            SysmonEvent e = line.startsWith("<") ? fromDom(xml.parse(new InputSource(new StringReader(line))))
                    : fromTree(json.readTree(line));
            return e.host != null ? e : null;
        } catch (Exception unreadable) {
            return null;
        }
    }

    private static SysmonEvent fromTree(JsonNode n) {
        SysmonEvent e = new SysmonEvent();
        JsonNode winlog = n.path("winlog");
        if (winlog.isObject()) {
            JsonNode data = winlog.path("event_data");
            e.eventId = winlog.path("event_id").asInt();
            e.host = text(winlog.path("computer_name"));
            e.eventTime = time(text(data.path("UtcTime")));
            e.processGuid = text(n.at("/process/entity_id"));
            e.processId = text(n.at("/process/pid"));
            e.image = text(n.at("/process/executable"));
            e.user = text(data.path("User"));
            e.eventType = text(data.path("EventType"));
            e.pipeName = text(n.at("/file/name"));
            e.queryName = text(n.at("/dns/question/name"));
            e.queryStatus = text(data.path("QueryStatus"));
            e.queryResults = text(data.path("QueryResults"));
        } else {
            e.eventId = n.path("EventID").asInt();
            e.host = text(n.has("Hostname") ? n.path("Hostname") : n.path("Computer"));
            e.eventTime = time(text(n.path("UtcTime")));
            e.processGuid = text(n.path("ProcessGuid"));
            e.processId = text(n.path("ProcessId"));
            e.image = text(n.path("Image"));
            e.user = text(n.path("User"));
            e.eventType = text(n.path("EventType"));
            e.pipeName = text(n.path("PipeName"));
            e.queryName = text(n.path("QueryName"));
            e.queryStatus = text(n.path("QueryStatus"));
            e.queryResults = text(n.path("QueryResults"));
        }
        return e;
    }

    private static SysmonEvent fromDom(Document d) {
        SysmonEvent e = new SysmonEvent();
        e.eventId = Integer.parseInt(d.getElementsByTagName("EventID").item(0).getTextContent().trim());
        e.host = d.getElementsByTagName("Computer").item(0).getTextContent();
        NodeList data = d.getElementsByTagName("Data");
        for (int i = 0; i < data.getLength(); i++) {
            Element field = (Element) data.item(i);
            String value = field.getTextContent();
            switch (field.getAttribute("Name")) {
                case "UtcTime" -> e.eventTime = time(value);
                case "ProcessGuid" -> e.processGuid = value;
                case "ProcessId" -> e.processId = value;
                case "Image" -> e.image = value;
                case "User" -> e.user = value;
                case "EventType" -> e.eventType = value;
                case "PipeName" -> e.pipeName = value;
                case "QueryName" -> e.queryName = value;
                case "QueryStatus" -> e.queryStatus = value;
                case "QueryResults" -> e.queryResults = value;
                default -> { }
            }
        }
        return e;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static long time(String utcTime) {
        return utcTime == null ? 0 : LocalDateTime.parse(utcTime, UTC_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
